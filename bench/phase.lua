-- phase.lua — the reference alternative: TCP phases as a user writes them
-- today, a Lua post-dissector reading tcp.* fields.
--
--   tshark -X lua_script:bench/phase.lua -n -r F -Y tcp
--
-- The simplest version of tcpphase's labelling: per tcp.stream, a phase
-- that moves handshake -> established -> teardown -> closed (or reset) on
-- the flags it sees, and a per-segment step (syn, syn_ack, data, ack, fin,
-- rst).  It keeps one result per frame so later passes (-2, the GUI) show
-- what the first pass computed.  It is far less exact than tcpphase (no
-- sequence numbers, no simultaneous open or close, no reuse); it is here to
-- measure what the simple way costs.
--
-- SPDX-License-Identifier: GPL-2.0-or-later

local f_flags  = Field.new("tcp.flags")
local f_stream = Field.new("tcp.stream")
local f_len    = Field.new("tcp.len")

local proto = Proto("luaphase", "TCP phase (Lua reference)")
local pf_phase = ProtoField.string("luaphase.phase", "Phase")
local pf_step  = ProtoField.string("luaphase.step", "Step")
proto.fields = { pf_phase, pf_step }

local streams = {}   -- tcp.stream -> { phase = ..., fins = n }
local frames  = {}   -- frame number -> { phase, step }

function proto.init()
    streams = {}
    frames = {}
end

local FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10

local function has(flags, bit)
    return bit32.band(flags, bit) ~= 0
end

function proto.dissector(tvb, pinfo, tree)
    local num = pinfo.number
    local result = frames[num]
    if result == nil then
        -- (tshark -2's first pass may run without the fields: then the
        -- labels are computed on the second.)
        local flags_fi = f_flags()
        if flags_fi == nil then
            return
        end
        local flags = flags_fi.value
        local stream = f_stream().value
        local len = f_len().value
        local st = streams[stream]
        if st == nil then
            st = { phase = "handshake", fins = 0 }
            streams[stream] = st
        end
        local step
        if has(flags, RST) then
            step = "rst"
            st.phase = "reset"
        elseif has(flags, SYN) then
            step = has(flags, ACK) and "syn_ack" or "syn"
            st.phase = "handshake"
        elseif has(flags, FIN) then
            step = "fin"
            st.fins = st.fins + 1
            st.phase = "teardown"
        elseif len > 0 then
            step = "data"
            if st.phase == "handshake" then st.phase = "established" end
        else
            step = "ack"
            if st.phase == "handshake" then
                st.phase = "established"
            elseif st.phase == "teardown" and st.fins >= 2 then
                st.phase = "closed"
            end
        end
        result = { st.phase, step }
        frames[num] = result
    end
    local sub = tree:add(proto)
    sub:add(pf_phase, result[1])
    sub:add(pf_step, result[2])
end

register_postdissector(proto)
