# TCPPHASE_SANITIZE=ON: AddressSanitizer + UndefinedBehaviorSanitizer on
# every target of the project (core, plugin, unit tests, batch tool, test
# drivers), and the environment the tests need to run tshark with an
# instrumented plugin.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Why a preload: tshark itself is not instrumented, and the ASan runtime must
# be the first library in the process (it replaces malloc and friends), so an
# instrumented plugin cannot bring it along when tshark dlopen()s it.  The
# plugin links the *shared* runtime (gcc's default; clang needs
# -shared-libasan) and tshark runs with LD_PRELOAD pointing at that same
# file.  scripts/tshark-as-user.sh reads ${CMAKE_BINARY_DIR}/sanitizer.env
# and adds its lines to tshark's otherwise empty environment.

if(NOT TCPPHASE_SANITIZE)
  # A build folder switched back to a plain build must not keep preloading.
  file(REMOVE "${CMAKE_BINARY_DIR}/sanitizer.env")
  set(TCPPHASE_SANITIZER_ENV "" CACHE INTERNAL "")
  return()
endif()

if(NOT CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  message(FATAL_ERROR "TCPPHASE_SANITIZE needs gcc or clang (found ${CMAKE_C_COMPILER_ID})")
endif()

set(TP_SANITIZERS "address,undefined")
add_compile_options(
  -fsanitize=${TP_SANITIZERS}
  # Undefined behaviour is an error, not a message: the process stops.
  -fno-sanitize-recover=undefined
  -fno-omit-frame-pointer)
add_link_options(-fsanitize=${TP_SANITIZERS})

if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  # clang links its runtime statically into executables only; a plugin
  # must use the shared one, like the executables, so that one copy runs.
  add_compile_options(-shared-libasan)
  add_link_options(-shared-libasan)
  set(TP_ASAN_RUNTIME_NAME "libclang_rt.asan-${CMAKE_SYSTEM_PROCESSOR}.so")
else()
  set(TP_ASAN_RUNTIME_NAME "libasan.so")
endif()

execute_process(
  COMMAND ${CMAKE_C_COMPILER} -print-file-name=${TP_ASAN_RUNTIME_NAME}
  OUTPUT_VARIABLE TP_ASAN_RUNTIME
  OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT IS_ABSOLUTE "${TP_ASAN_RUNTIME}" OR NOT EXISTS "${TP_ASAN_RUNTIME}")
  message(FATAL_ERROR
    "TCPPHASE_SANITIZE: ${CMAKE_C_COMPILER} does not know where ${TP_ASAN_RUNTIME_NAME} is "
    "(got '${TP_ASAN_RUNTIME}'). On Debian 12: apt-get install libasan8 (gcc) or "
    "libclang-rt-dev (clang).")
endif()
get_filename_component(TP_ASAN_RUNTIME "${TP_ASAN_RUNTIME}" REALPATH)

# Options shared by every sanitized process the tests start.
#  - exitcode=86: a sanitizer report is told apart from a program's own
#    failure (tests/mutate.py counts on it);
#  - UBSan prints a stack and stops (halt_on_error; the code is built
#    with -fno-sanitize-recover anyway);
#  - detect_leaks is on for the project's own executables (unit tests,
#    drivers) and off inside tshark: tshark and glib leave their
#    registrations allocated at exit, by design, which LeakSanitizer would
#    report on every run; the plugin's own state is freed by its cleanup
#    routine, which tests/driver checks under LeakSanitizer instead.
set(TP_UBSAN_OPTIONS "print_stacktrace=1:halt_on_error=1:exitcode=86")
set(TP_ASAN_COMMON "exitcode=86:abort_on_error=0:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1")
set(TCPPHASE_ASAN_OPTIONS "${TP_ASAN_COMMON}:detect_leaks=1" CACHE INTERNAL "")
set(TCPPHASE_UBSAN_OPTIONS "${TP_UBSAN_OPTIONS}" CACHE INTERNAL "")
# For ctest's ENVIRONMENT property of the project's own executables.
set(TCPPHASE_SANITIZER_ENV
  "ASAN_OPTIONS=${TCPPHASE_ASAN_OPTIONS}"
  "UBSAN_OPTIONS=${TCPPHASE_UBSAN_OPTIONS}"
  CACHE INTERNAL "")

# tshark asks every extcap helper (androiddump, sshdump, ...) for its
# interfaces at start-up; those children inherit LD_PRELOAD, and one of them
# deadlocks at exit with the ASan runtime loaded (p11-kit's destructor takes
# glibc's locale lock inside an ASan interceptor), so tshark waits forever.
# The tests need no extcap: point tshark at an empty extcap folder.
file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/no-extcap")
file(WRITE "${CMAKE_BINARY_DIR}/sanitizer.env"
  "# Written by cmake/sanitize.cmake (TCPPHASE_SANITIZE=ON): the environment\n"
  "# scripts/tshark-as-user.sh gives tshark so that it can load the\n"
  "# sanitized plugin.  One VARIABLE=value a line.\n"
  "LD_PRELOAD=${TP_ASAN_RUNTIME}\n"
  "ASAN_OPTIONS=${TP_ASAN_COMMON}:detect_leaks=0\n"
  "UBSAN_OPTIONS=${TP_UBSAN_OPTIONS}\n"
  "WIRESHARK_EXTCAP_DIR=${CMAKE_BINARY_DIR}/no-extcap\n")
message(STATUS "tcpphase: ASan+UBSan build; tshark runs with LD_PRELOAD=${TP_ASAN_RUNTIME}")
