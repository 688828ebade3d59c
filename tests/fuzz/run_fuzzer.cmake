# Runs one libFuzzer target for a bounded time on a scratch copy of its seed
# corpus (the committed corpus is never modified), then removes the copy.
# A crash fails the test; its input is kept in ${WORK_DIR}-crashes/.
#   cmake -DFUZZER=<binary> -DCORPUS=<dir> -DWORK_DIR=<dir> -DSECONDS=<n>
#         [-DDICT=<file>] [-DRSS_LIMIT_MB=<n>] -P run_fuzzer.cmake
foreach(var FUZZER CORPUS WORK_DIR SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake needs -D${var}=...")
  endif()
endforeach()
if(NOT EXISTS "${FUZZER}")
  message(FATAL_ERROR "${FUZZER} does not exist: build the fuzzers first with "
                      "`cmake --preset fuzz && cmake --build --preset fuzz`, "
                      "or point SLOTWISE_FUZZ_DIR at their folder")
endif()
if(NOT DEFINED RSS_LIMIT_MB)
  set(RSS_LIMIT_MB 2048)
endif()

set(scratch "${WORK_DIR}/corpus")
set(crashes "${WORK_DIR}-crashes")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${scratch}" "${crashes}")
file(GLOB seeds "${CORPUS}/*")
file(COPY ${seeds} DESTINATION "${scratch}")

set(options -max_total_time=${SECONDS} -rss_limit_mb=${RSS_LIMIT_MB} -timeout=10
            -print_final_stats=1 -artifact_prefix=${crashes}/)
if(DEFINED DICT)
  list(APPEND options -dict=${DICT})
endif()
execute_process(COMMAND "${FUZZER}" ${options} "${scratch}"
                WORKING_DIRECTORY "${WORK_DIR}"
                RESULT_VARIABLE status)
file(REMOVE_RECURSE "${WORK_DIR}")
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${status}); the failing input is in ${crashes}/")
endif()
file(REMOVE_RECURSE "${crashes}")
