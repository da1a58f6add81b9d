package config

import (
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
)

// Load reads path (and the files it includes), parses it, and applies the
// permission rules of ypldap's check_file_secrecy, sharpened:
//   - no configuration file may be group- or world-writable: whoever can
//     write it chooses which directory the host trusts for its accounts;
//   - a file holding a `bindcred`, every file defining a macro whose value
//     reaches a `bindcred`, and every `bindcredfile`, must be readable by
//     its owner only and owned by root or the running euid.
//
// Every check is made on the open descriptor (fstat), not the name, so a
// file swapped between check and read cannot slip through.
func Load(path string) (*Config, error) {
	data, info, err := readConfigFile(path, true)
	if err != nil {
		return nil, errorf(path, 0, "", "%v", err)
	}
	p := newParser(true)
	cfg, e := p.run(&source{name: path, info: info}, data)
	if e != nil {
		return nil, e
	}
	for _, s := range p.sources {
		if s.secret == nil {
			continue
		}
		if msg := secrecyProblem(s.info); msg != "" {
			note := ""
			if s.secret.note != "" {
				note = " (" + s.secret.note + ")"
			}
			return nil, errorf(s.name, s.secret.line, "bindcred", "file holds a bind password%s but %s (or move the password to a bindcredfile)", note, msg)
		}
	}
	for _, d := range cfg.Directories {
		if d.BindCredFile == "" {
			continue
		}
		if _, e := readSecret(d); e != nil {
			return nil, e
		}
	}
	return cfg, nil
}

// openRegular opens a file without blocking on a FIFO or device and
// refuses anything but a regular file.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is not a regular file", path)
	}
	return f, info, nil
}

// readConfigFile reads a configuration file; when checked it refuses a
// group- or world-writable one.
func readConfigFile(path string, checked bool) ([]byte, os.FileInfo, error) {
	f, info, err := openRegular(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	if checked && info.Mode().Perm()&0o022 != 0 {
		return nil, nil, fmt.Errorf("%s is group- or world-writable (mode %04o, owner uid %d); refusing it: chmod go-w it", path, info.Mode().Perm(), ownerOf(info))
	}
	if info.Size() > maxFileSize {
		return nil, nil, fmt.Errorf("%s is larger than %d bytes", path, maxFileSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > maxFileSize {
		return nil, nil, fmt.Errorf("%s is larger than %d bytes", path, maxFileSize)
	}
	return data, info, nil
}

func ownerOf(info os.FileInfo) int {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid)
	}
	return -1
}

// secrecyProblem says why a file holding a secret is not private enough
// ("" if it is). Group/other bits of any kind are refused, as in ypldap.
func secrecyProblem(info os.FileInfo) string {
	if info == nil {
		return ""
	}
	mode, uid := info.Mode().Perm(), ownerOf(info)
	if uid != 0 && uid != os.Geteuid() {
		return fmt.Sprintf("it is owned by uid %d (mode %04o), not by root or the running user (uid %d): chown it", uid, mode, os.Geteuid())
	}
	if mode&0o077 != 0 {
		return fmt.Sprintf("its mode %04o (owner uid %d) lets group or others in: chmod 600 it", mode, uid)
	}
	return ""
}

// maxSecret bounds a bindcredfile; a password is short.
const maxSecret = 64 << 10

// Credential returns the bind password: BindCred, or the content of
// BindCredFile without one trailing newline, read after the same
// permission check Load makes. "" means no password is configured.
func (d *Directory) Credential() (string, error) {
	if d.BindCredFile == "" {
		return d.BindCred, nil
	}
	s, e := readSecret(d)
	if e != nil {
		return "", e
	}
	return s, nil
}

func readSecret(d *Directory) (string, *Error) {
	fail := func(format string, args ...any) *Error {
		return errorf(d.file, d.credFileLine, "bindcredfile", format, args...)
	}
	f, info, err := openRegular(d.BindCredFile)
	if err != nil {
		return "", fail("%v", err)
	}
	defer f.Close()
	if msg := secrecyProblem(info); msg != "" {
		return "", fail("%s: %s", d.BindCredFile, msg)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecret+1))
	if err != nil {
		return "", fail("%s: %v", d.BindCredFile, err)
	}
	if len(data) > maxSecret {
		return "", fail("%s is larger than %d bytes", d.BindCredFile, maxSecret)
	}
	s := string(data)
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	switch {
	case s == "":
		return "", fail("%s is empty (an empty simple bind is anonymous)", d.BindCredFile)
	case strings.ContainsAny(s, "\n\x00"):
		return "", fail("%s holds more than one line or a NUL byte; it must hold the password alone", d.BindCredFile)
	}
	return s, nil
}
