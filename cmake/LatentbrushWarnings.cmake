# Warning flags for the project's own targets (third-party headers are SYSTEM includes).
function(latentbrush_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                           -Wno-unused-parameter)
    if(LATENTBRUSH_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
