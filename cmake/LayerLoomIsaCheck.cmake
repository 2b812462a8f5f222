# cmake -DNM=... -DOBJECT=... -DENTRY=... -P LayerLoomIsaCheck.cmake
# Fails when a level's merged kernels object defines any global symbol but its entry: such a
# symbol could stand in, at link time, for code compiled for another processor.
execute_process(COMMAND ${NM} --defined-only --extern-only ${OBJECT}
                OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${OBJECT}")
endif()
string(REGEX REPLACE "[^\n]* ${ENTRY}\n" "" others "${symbols}")
if(NOT others STREQUAL "")
  message(FATAL_ERROR "${OBJECT} defines global symbols besides ${ENTRY}:\n${others}")
endif()
