package ldapsrc

import (
	"fmt"
	"os"
	"strings"

	"github.com/ldapidm/ldapidm/refresher/config"
)

// credential returns the bind password of d: BindCred, else the first line
// of BindCredFile. The error names the file, never its content.
//
// TODO(config): switch to (*config.Directory).Credential() once the parser
// provides it, so that the permission checks live in one place.
func credential(d *config.Directory) (string, error) {
	if d.BindCred != "" || d.BindCredFile == "" {
		return d.BindCred, nil
	}
	data, err := os.ReadFile(d.BindCredFile)
	if err != nil {
		return "", fmt.Errorf("reading bindcredfile: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSuffix(line, "\r"), nil
}
