# Debian's libcpp-httplib-dev ships cpp-httplib compiled (libcpp-httplib.so) with a header that
# declares it, and no CMake package. The header's classes change shape with the TLS, zlib and
# Brotli switches, so we must set exactly the ones the library was built with (all three).
find_path(HTTPLIB_INCLUDE_DIR httplib.h REQUIRED)
find_library(HTTPLIB_LIBRARY NAMES cpp-httplib REQUIRED)
add_library(httplib::httplib UNKNOWN IMPORTED)
set_target_properties(httplib::httplib PROPERTIES
  IMPORTED_LOCATION ${HTTPLIB_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${HTTPLIB_INCLUDE_DIR}
  INTERFACE_COMPILE_DEFINITIONS "CPPHTTPLIB_OPENSSL_SUPPORT;CPPHTTPLIB_ZLIB_SUPPORT;CPPHTTPLIB_BROTLI_SUPPORT")
target_link_libraries(httplib::httplib INTERFACE OpenSSL::SSL OpenSSL::Crypto)
