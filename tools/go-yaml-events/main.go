// go-yaml-events: prints the events go-yaml v2.4.0 (what Helm and kubectl read YAML with) parses
// from each file given as an argument, or from stdin, in the format of zz_dump.go. With file
// arguments, each file's dump is preceded by a line "=== <path>".
package main

import (
	"bufio"
	"io"
	"os"

	yaml "gopkg.in/yaml.v2"
)

func main() {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	if len(os.Args) < 2 {
		in, err := io.ReadAll(os.Stdin)
		if err != nil {
			panic(err)
		}
		w.WriteString(yaml.DumpEvents(in))
		return
	}
	for _, path := range os.Args[1:] {
		in, err := os.ReadFile(path)
		if err != nil {
			panic(err)
		}
		w.WriteString("=== " + path + "\n")
		w.WriteString(yaml.DumpEvents(in))
	}
}
