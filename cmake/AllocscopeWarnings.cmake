# AllocscopeWarnings - one function that sets the project's warning flags on
# a target (per target, not globally), plus -Werror under ALLOCSCOPE_WERROR
# and the sanitizers under ALLOCSCOPE_SANITIZE (except for NO_SANITIZE
# targets: preload libraries must not drag the ASan runtime into a program).
function(allocscope_warnings target)
  cmake_parse_arguments(W "NO_SANITIZE" "" "" ${ARGN})
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes)
  if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
    # messages are truncated on purpose, never data
    target_compile_options(${target} PRIVATE -Wno-format-truncation)
  endif()
  if(ALLOCSCOPE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(ALLOCSCOPE_SANITIZE AND NOT W_NO_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
