package ber

// AppendHeader appends an identifier octet and the shortest definite
// length for n content bytes.
func AppendHeader(dst []byte, tag byte, n int) []byte {
	switch {
	case n < 0x80:
		return append(dst, tag, byte(n))
	case n <= 0xff:
		return append(dst, tag, 0x81, byte(n))
	case n <= 0xffff:
		return append(dst, tag, 0x82, byte(n>>8), byte(n))
	case n <= 0xffffff:
		return append(dst, tag, 0x83, byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, tag, 0x84, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// AppendTLV appends a whole element with the given content.
func AppendTLV(dst []byte, tag byte, content []byte) []byte {
	return append(AppendHeader(dst, tag, len(content)), content...)
}

// AppendString appends an element whose content is s (OCTET STRING, or a
// context-tagged string such as a simple bind password).
func AppendString(dst []byte, tag byte, s string) []byte {
	return append(AppendHeader(dst, tag, len(s)), s...)
}

// AppendInt appends an INTEGER, ENUMERATED or other integer-valued element
// in the minimal two's-complement form.
func AppendInt(dst []byte, tag byte, v int64) []byte {
	n := 1
	for n < 8 {
		// Enough octets when v, shifted right by the bits they hold,
		// leaves only sign bits (all 0 or all 1, matching the top bit).
		if r := v >> (8*n - 1); r == 0 || r == -1 {
			break
		}
		n++
	}
	dst = append(dst, tag, byte(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}

// AppendBool appends a BOOLEAN (TRUE as 0xff, X.690 §11.1 DER form).
func AppendBool(dst []byte, tag byte, v bool) []byte {
	if v {
		return append(dst, tag, 1, 0xff)
	}
	return append(dst, tag, 1, 0)
}
