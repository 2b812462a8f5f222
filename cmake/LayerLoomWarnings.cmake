# Warnings apply per target, to LayerLoom's own code only; third-party headers come in as
# system includes through their imported targets.
function(layerloom_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual
    -Wno-missing-field-initializers)
  if(LAYERLOOM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
