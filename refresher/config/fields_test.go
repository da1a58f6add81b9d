package config

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// The Fields table of ldapidm.conf(5) lists every field the parser
// accepts, each once, and nothing else.
func TestFieldsDocumented(t *testing.T) {
	text, err := os.ReadFile("../../docs/ldapidm.conf.5")
	if err != nil {
		t.Fatal(err)
	}
	// The table's rows sit between its header row and .TE.
	_, rest, ok := strings.Cut(string(text), "\nField@Meaning@Default source\n")
	table, _, ok2 := strings.Cut(rest, "\n.TE\n")
	if !ok || !ok2 {
		t.Fatal("ldapidm.conf.5 has no Fields table")
	}
	var documented []string
	for _, row := range strings.Split(table, "\n") {
		name, _, _ := strings.Cut(row, "@")
		documented = append(documented, name)
	}
	accepted := make([]string, len(fields))
	for i, f := range fields {
		accepted[i] = string(f)
	}
	slices.Sort(documented)
	slices.Sort(accepted)
	if !slices.Equal(documented, accepted) {
		t.Errorf("ldapidm.conf.5 documents the fields\n%q\nthe parser accepts\n%q", documented, accepted)
	}
}
