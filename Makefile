# Two commands a user needs: `make demo` and `make test`. Both install what is missing first.
DEBIAN_PACKAGES := cmake g++ make ninja-build pkg-config libgtest-dev libgmock-dev \
                   libbenchmark-dev nlohmann-json3-dev rapidjson-dev libcli11-dev libboost-dev \
                   libprotobuf-dev protobuf-compiler libcurl4-openssl-dev zlib1g-dev \
                   libcpp-httplib-dev chromium time \
                   clang libclang-rt-14-dev
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps interop-deps build demo test test-tsan test-asan bench fuzz install clean

all: build

deps:
	@./scripts/install-deps.sh $(DEBIAN_PACKAGES)

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS)

# The interop tests' peers: OpenTelemetry JavaScript from npm (before the build, which looks
# for node).
interop-deps:
	@./scripts/install-node-deps.sh tests/interop

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The demo needs only the weft program: its build skips the test suite.
demo: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS) --target weft_cli_main
	./$(BUILD_DIR)/tools/weft/weft demo

test: interop-deps build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# The same suite under the sanitizers (CI runs both).
test-tsan:
	$(MAKE) test BUILD_DIR=build-tsan CMAKE_FLAGS="-DWEFT_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)"

test-asan:
	$(MAKE) test BUILD_DIR=build-asan CMAKE_FLAGS="-DWEFT_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=Debug $(CMAKE_FLAGS)"

bench:
	$(MAKE) build BUILD_DIR=build-release CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Release -DWEFT_BUILD_BENCH=ON $(CMAKE_FLAGS)"
	./scripts/run-benchmarks.sh build-release

# libFuzzer targets (tests/fuzz) in their own clang build: each runs over its seed corpus, then
# for FUZZ_SECONDS seconds.
FUZZ_SECONDS ?= 60
fuzz: deps
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DWEFT_FUZZ=ON -DWEFT_BUILD_TESTS=OFF $(CMAKE_FLAGS)
	cmake --build build-fuzz -j $(JOBS) --target weft_fuzz_targets
	./scripts/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

install: build
	cmake --install $(BUILD_DIR)

clean:
	rm -rf build build-tsan build-asan build-release build-fuzz
