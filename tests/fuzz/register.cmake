# Registers a bounded libFuzzer run of every fuzz target as a CTest test of the
# native build. The fuzzers themselves are built by the `fuzz` preset (clang,
# sanitizers) into build-fuzz/bin; include() this file from a native tests
# CMakeLists.txt. To add a fuzzer: build it in CMakeLists.txt beside this file,
# give it a corpus/<area>/ folder, and add one slotwise_register_fuzz_run() below.
set(SLOTWISE_FUZZ_DIR "${PROJECT_SOURCE_DIR}/build-fuzz/bin" CACHE PATH
    "Folder of the libFuzzer binaries that CTest runs (the fuzz preset's build-fuzz/bin)")
set(SLOTWISE_FUZZ_SECONDS 60 CACHE STRING "Seconds each registered fuzz run lasts")

set(slotwise_fuzz_source_dir ${CMAKE_CURRENT_LIST_DIR})

# slotwise_register_fuzz_run(<fuzzer> <corpus folder> [DICT <file>])
function(slotwise_register_fuzz_run fuzzer corpus)
  cmake_parse_arguments(PARSE_ARGV 2 run "" "DICT" "")
  set(args -DFUZZER=${SLOTWISE_FUZZ_DIR}/${fuzzer} -DCORPUS=${corpus}
           -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/${fuzzer}.run -DSECONDS=${SLOTWISE_FUZZ_SECONDS})
  if(run_DICT)
    list(APPEND args -DDICT=${run_DICT})
  endif()
  add_test(NAME ${fuzzer} COMMAND ${CMAKE_COMMAND} ${args} -P ${slotwise_fuzz_source_dir}/run_fuzzer.cmake)
  math(EXPR limit "${SLOTWISE_FUZZ_SECONDS} + 120")
  set_tests_properties(${fuzzer} PROPERTIES TIMEOUT ${limit} LABELS fuzz)
endfunction()

slotwise_register_fuzz_run(fuzz_engine_batch ${slotwise_fuzz_source_dir}/corpus/engine
                           DICT ${slotwise_fuzz_source_dir}/engine.dict)
slotwise_register_fuzz_run(fuzz_server_requests ${PROJECT_SOURCE_DIR}/tests/server/fuzz/corpus)
slotwise_register_fuzz_run(fuzz_account_requests ${PROJECT_SOURCE_DIR}/tests/server/fuzz/accounts_corpus)
