# Turn a text file into a C header holding it as one string constant:
#   cmake -DINPUT=page.html -DOUTPUT=page.h -DNAME=page -P embed.cmake
# SPDX-License-Identifier: GPL-2.0-or-later
file(READ "${INPUT}" text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "?" "\\?" text "${text}")   # no trigraphs
string(REPLACE "\n" "\\n\"\n\"" text "${text}")
file(WRITE "${OUTPUT}.tmp" "/* Generated from ${INPUT} by cmake/embed.cmake: do not edit. */\nstatic const char ${NAME}[] =\n\"${text}\";\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
