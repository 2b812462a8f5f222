# Which processors a build runs on, and how it stays fast on newer ones.
#
# The default build is portable: all of LayerLoom's code is compiled for x86-64-v2 (any x86-64
# processor of the last fifteen years), and the hot numeric code (engine/isa/isa_kernels.cpp:
# the layer kernels and the optimizer's update) is compiled three more times, for x86-64-v2,
# -v3 (AVX2, FMA) and -v4 (AVX-512). engine/isa/cpu_dispatch.cpp picks the highest level the
# processor runs when the program starts. OpenBLAS, which does the matrix products, picks its
# own kernels at run time as well.
#
# Each level's copy is linked into one relocatable object whose symbols are all made local but
# its entry point: the copies hold the same template instantiations (Eigen's, the standard
# library's) compiled for different processors, and the final link must never mix them.
#
# LAYERLOOM_MARCH=native builds for this machine's processor only,
# and any other -march value for that one; such builds carry a single copy.

set(LAYERLOOM_MARCH "" CACHE STRING
    "Compile for this processor (-march=VALUE), e.g. native; empty: the portable build")

set(LAYERLOOM_X86_64 OFF)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(LAYERLOOM_X86_64 ON)
endif()

set(LAYERLOOM_ISA_DISPATCH OFF)
if(LAYERLOOM_SANITIZE OR LAYERLOOM_TSAN OR LAYERLOOM_FUZZ)
  # Sanitizer and fuzz builds check the code, not its speed: one copy, for the portable baseline.
  if(LAYERLOOM_X86_64)
    add_compile_options(-march=x86-64-v2)
  endif()
elseif(NOT LAYERLOOM_MARCH STREQUAL "")
  add_compile_options(-march=${LAYERLOOM_MARCH})
elseif(LAYERLOOM_X86_64)
  add_compile_options(-march=x86-64-v2)
  set(LAYERLOOM_ISA_DISPATCH ON)
endif()

# GCC before 12.3 warns about its own AVX-512 intrinsics (_mm512_undefined_ps and friends
# initialise a variable with itself, GCC bug 105593) wherever Eigen's AVX-512 code is inlined,
# as "is used" or "may be used uninitialized"; nothing of ours is. Those two warnings are off
# where AVX-512 code is compiled with such a GCC.
set(LAYERLOOM_AVX512_WORKAROUND "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 12.3)
  set(LAYERLOOM_AVX512_WORKAROUND -Wno-uninitialized -Wno-maybe-uninitialized)
  if(NOT LAYERLOOM_MARCH STREQUAL "" AND NOT LAYERLOOM_ISA_DISPATCH)
    include(CheckCXXSourceCompiles)
    set(CMAKE_REQUIRED_FLAGS "-march=${LAYERLOOM_MARCH}")
    check_cxx_source_compiles("#ifndef __AVX512F__\n#error no AVX-512\n#endif\nint main() {}"
                              LAYERLOOM_MARCH_HAS_AVX512)
    unset(CMAKE_REQUIRED_FLAGS)
    if(LAYERLOOM_MARCH_HAS_AVX512)
      add_compile_options(${LAYERLOOM_AVX512_WORKAROUND})
    endif()
  endif()
endif()

# Adds the hot numeric code to `target`: one copy per level in the portable build, else one.
function(layerloom_add_isa_kernels target source)
  if(NOT LAYERLOOM_ISA_DISPATCH)
    target_sources(${target} PRIVATE ${source})
    set_source_files_properties(${source} TARGET_DIRECTORY ${target} PROPERTIES
      COMPILE_DEFINITIONS "LAYERLOOM_ISA_ENTRY=layerloom_isa_table_build;LAYERLOOM_ISA_LEVEL=\"this build's\"")
    return()
  endif()
  if(NOT CMAKE_OBJCOPY OR NOT CMAKE_LINKER OR NOT CMAKE_NM)
    message(FATAL_ERROR "The portable build needs binutils' ld, objcopy and nm; "
                        "or build for one processor with -DLAYERLOOM_MARCH=native")
  endif()
  target_compile_definitions(${target} PRIVATE LAYERLOOM_ISA_DISPATCH)
  foreach(level v2 v3 v4)
    set(copy ${target}_isa_${level})
    add_library(${copy} OBJECT ${source})
    target_include_directories(${copy} PRIVATE $<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>)
    target_compile_definitions(${copy} PRIVATE
      $<TARGET_PROPERTY:${target},COMPILE_DEFINITIONS>
      $<TARGET_PROPERTY:${target},INTERFACE_COMPILE_DEFINITIONS>
      LAYERLOOM_ISA_ENTRY=layerloom_isa_table_${level}
      LAYERLOOM_ISA_LEVEL="x86-64-${level}")
    target_link_libraries(${copy} PRIVATE Eigen3::Eigen nlohmann_json::nlohmann_json)
    if(TARGET OpenMP::OpenMP_CXX AND LAYERLOOM_OPENMP)
      target_link_libraries(${copy} PRIVATE OpenMP::OpenMP_CXX)
    endif()
    # The level's -march comes after the build's x86-64-v2, so it wins.
    # GCC gives the statics of inline functions "unique" symbols, which stay global; without
    # them they are weak, and made local with the rest.
    target_compile_options(${copy} PRIVATE -march=x86-64-${level} -fvisibility=hidden
      -fvisibility-inlines-hidden $<$<CXX_COMPILER_ID:GNU>:-fno-gnu-unique>)
    if(level STREQUAL "v4")
      target_compile_options(${copy} PRIVATE ${LAYERLOOM_AVX512_WORKAROUND})
    endif()
    layerloom_warnings(${copy})
    set(merged ${CMAKE_CURRENT_BINARY_DIR}/${copy}.o)
    add_custom_command(OUTPUT ${merged}
      COMMAND ${CMAKE_LINKER} -r --force-group-allocation -o ${merged}.partial
              $<TARGET_OBJECTS:${copy}>
      COMMAND ${CMAKE_OBJCOPY} --keep-global-symbol=layerloom_isa_table_${level}
              ${merged}.partial ${merged}
      COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DOBJECT=${merged}
              -DENTRY=layerloom_isa_table_${level} -P ${PROJECT_SOURCE_DIR}/cmake/LayerLoomIsaCheck.cmake
      DEPENDS ${copy} $<TARGET_OBJECTS:${copy}>
      COMMENT "Making the ${level} kernels' symbols local"
      COMMAND_EXPAND_LISTS VERBATIM)
    target_sources(${target} PRIVATE ${merged})
    set_source_files_properties(${merged} TARGET_DIRECTORY ${target} PROPERTIES
      EXTERNAL_OBJECT TRUE GENERATED TRUE)
  endforeach()
endfunction()
