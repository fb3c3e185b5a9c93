# Which Wireshark the build found, said once for every part of the project.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A plugin binary is tied to one major.minor of Wireshark (its "ABI"):
# Wireshark loads plugins only from plugins/MAJOR.MINOR/ and only if they
# were built against that same major.minor.  This file finds Wireshark's
# CMake package, checks the version is one the source is written for, and
# tells the rest of the project:
#
#   TCPPHASE_WS_VERSION    e.g. 4.4.19 (Wireshark_VERSION)
#   TCPPHASE_WS_ABI        e.g. 4.4: the plugin folder name
#   ${CMAKE_BINARY_DIR}/wireshark-abi
#                          one line, TCPPHASE_WS_ABI: what scripts/, tests/
#                          and bench/ read to find the built plugin
#                          ($BUILD/plugins/$(cat $BUILD/wireshark-abi)/epan)
#   tcpphase_wscompat      an interface target: plugin/wscompat.h, the one
#                          place where the source differs between versions.

find_package(Wireshark CONFIG REQUIRED)

# 4.0 (Debian 12), 4.4 (Debian 13) and 4.6 (Debian testing/unstable) are
# built and tested; 4.2 is built for (its API sits between 4.0 and 4.4) but
# no Debian release ships it.  Anything newer has not been looked at.
set(TCPPHASE_WS_MIN 4.0)
set(TCPPHASE_WS_NEXT 4.7)
if(Wireshark_VERSION VERSION_LESS TCPPHASE_WS_MIN OR NOT Wireshark_VERSION VERSION_LESS TCPPHASE_WS_NEXT)
  message(FATAL_ERROR
    "tcpphase is written for Wireshark ${TCPPHASE_WS_MIN} to 4.6; found ${Wireshark_VERSION} "
    "(${Wireshark_DIR}). Set Wireshark_DIR to a supported installation or configure "
    "with -DTCPPHASE_BUILD_PLUGIN=OFF -DTCPPHASE_BUILD_ANNOTATE=OFF.")
endif()

set(TCPPHASE_WS_VERSION "${Wireshark_VERSION}")
set(TCPPHASE_WS_ABI "${Wireshark_MAJOR_VERSION}.${Wireshark_MINOR_VERSION}")
file(WRITE "${CMAKE_BINARY_DIR}/wireshark-abi" "${TCPPHASE_WS_ABI}\n")

add_library(tcpphase_wscompat INTERFACE)
target_include_directories(tcpphase_wscompat INTERFACE "${PROJECT_SOURCE_DIR}/plugin")

message(STATUS "Wireshark ${TCPPHASE_WS_VERSION} (${Wireshark_DIR}): plugins/${TCPPHASE_WS_ABI}")
