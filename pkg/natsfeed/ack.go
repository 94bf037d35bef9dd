package natsfeed

import "bytes"

// ParseAck reads JetStream's reply to a publish: ok when the message is
// stored (dup when it was already, by its Nats-Msg-Id). An error reply,
// or an empty one (a "no responders" status: no stream, or JetStream
// restarting), is not ok. The server writes `"duplicate": true` by hand
// and the rest with encoding/json, so blanks around ':' are allowed. JSON
// strings escape '"', so a key looked for cannot be read out of a stream
// name.
func ParseAck(data []byte) (ok, dup bool) {
	if len(data) < 2 || data[0] != '{' || keyValue(data, "error") >= 0 || keyValue(data, "seq") < 0 {
		return false, false
	}
	if i := keyValue(data, "duplicate"); i >= 0 && bytes.HasPrefix(data[i:], []byte("true")) {
		dup = true
	}
	return true, dup
}

// keyValue returns where the value of "key" starts in data, or -1.
func keyValue(data []byte, key string) int {
	q := make([]byte, 0, 32)
	q = append(append(append(q, '"'), key...), '"')
	for off := 0; ; {
		i := bytes.Index(data[off:], q)
		if i < 0 {
			return -1
		}
		j := off + i + len(q)
		for j < len(data) && (data[j] == ' ' || data[j] == '\t') {
			j++
		}
		if j < len(data) && data[j] == ':' {
			j++
			for j < len(data) && (data[j] == ' ' || data[j] == '\t') {
				j++
			}
			return j
		}
		off = j
	}
}
