// The README's example: spans from a thread pool that join the trace of the code that submitted
// them, written to an OTLP/JSON lines file.
#include <weft/weft.h>

#include <iostream>

int main(int argc, char** argv) {
  weft::Options options;
  options.service_name = "checkout";
  options.exporter = "file";
  options.file_path = argc > 1 ? argv[1] : "checkout-traces.jsonl";
  weft::set_global_provider(weft::TracerProvider::create(std::move(options)));

  weft::Tracer tracer = weft::get_tracer("checkout", "1.0.0");
  weft::ThreadPool pool(4, "worker");
  {
    weft::ScopedSpan order = tracer.start_scoped_span("process-order");
    order->set_attribute("order.id", 1234);
    auto done = pool.submit([&] {  // runs under "process-order"'s context
      weft::ScopedSpan charge = tracer.start_scoped_span("charge-card");
    });
    done.get();
    std::cout << "trace " << order.context().trace_id.to_hex() << '\n';
  }
}  // spans still queued at exit are flushed
