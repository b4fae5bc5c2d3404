if(PKILAB_SANITIZE)
  set(_pkilab_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_compile_options(${_pkilab_san})
  add_link_options(${_pkilab_san})
endif()

# The libFuzzer configuration (clang only): everything gets coverage instrumentation and
# AddressSanitizer + UBSan; only the fuzz targets (tests/fuzz) link the fuzzer itself.
if(PKILAB_BUILD_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  set(_pkilab_fuzz -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                   -fno-sanitize-recover=undefined)
  add_compile_options(${_pkilab_fuzz})
  add_link_options(-fsanitize=address,undefined)
endif()
