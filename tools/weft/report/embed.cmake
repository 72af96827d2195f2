# Turns the report page (INPUT) into a C++ source (OUTPUT) defining weft::cli::kReportPage, so that
# the page stays a real HTML file in the source tree and `weft html` needs no file at run time.
file(READ ${INPUT} content HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," content "${content}")
file(WRITE ${OUTPUT}
  "// Generated from report/report.html by report/embed.cmake; do not edit.\n"
  "#include \"report_page.h\"\n"
  "namespace weft::cli {\n"
  "const char kReportPage[] = {${content} 0};\n"
  "const std::size_t kReportPageSize = sizeof(kReportPage) - 1;\n"
  "}  // namespace weft::cli\n")
