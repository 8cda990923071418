// Package checksum digests records.
package checksum

import (
	"bytes"
	"hash/crc32"
	"strconv"
	"sync"
)

// Buffers are large enough for any record, so writing one never grows it.
var buffers = sync.Pool{New: func() interface{} { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

// Record is one record to digest.
type Record struct {
	ID     int
	Fields []string
}

// Digests returns each record's CRC-32, in hex.
func Digests(records []Record) []string {
	out := make([]string, 0, len(records))
	for _, r := range records {
		buf := buffers.Get().(*bytes.Buffer)
		buf.Reset()
		defer buffers.Put(buf)
		buf.WriteString(strconv.Itoa(r.ID))
		for _, f := range r.Fields {
			buf.WriteByte(0)
			buf.WriteString(f)
		}
		out = append(out, strconv.FormatUint(uint64(crc32.ChecksumIEEE(buf.Bytes())), 16))
	}
	return out
}
