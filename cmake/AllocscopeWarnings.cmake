# AllocscopeWarnings - one function that sets the project's warning flags on
# a target (per target, not globally), plus -Werror under ALLOCSCOPE_WERROR
# and the sanitizers under ALLOCSCOPE_SANITIZE.
function(allocscope_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wno-format-truncation) # messages are truncated on purpose, never data
  if(ALLOCSCOPE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(ALLOCSCOPE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
