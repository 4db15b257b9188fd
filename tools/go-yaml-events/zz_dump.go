// zz_dump.go is added to a copy of gopkg.in/yaml.v2 (go-yaml v2.4.0) by build.sh: it drives the
// package's own parser (yaml_parser_parse, unexported, hence this file inside the package) the
// way decode.go's newParser does, and prints every event, or the error, one line each. It is
// the oracle that tests/yaml_events.rs compares svcpolicy's port (src/yaml/events) against.
//
// Line format (strings quoted with strconv.QuoteToASCII, marks as index,line,column):
//
//	<TYPE> anchor=".." tag=".." value=".." implicit=B quoted_implicit=B style=N start=I,L,C end=I,L,C
//	ERROR kind=reader|scanner|parser problem=".." context=".." problem_mark=I,L,C context_mark=I,L,C offset=N value=N message=".."
//	PANIC ".."   (go-yaml panicked: Helm would crash)
//
// message is what yaml.Unmarshal returns for the error (decode.go's parser.fail()).

package yaml

import (
	"fmt"
	"strconv"
	"strings"
)

var dumpEventNames = map[yaml_event_type_t]string{
	yaml_NO_EVENT:             "NO-EVENT",
	yaml_STREAM_START_EVENT:   "STREAM-START",
	yaml_STREAM_END_EVENT:     "STREAM-END",
	yaml_DOCUMENT_START_EVENT: "DOCUMENT-START",
	yaml_DOCUMENT_END_EVENT:   "DOCUMENT-END",
	yaml_ALIAS_EVENT:          "ALIAS",
	yaml_SCALAR_EVENT:         "SCALAR",
	yaml_SEQUENCE_START_EVENT: "SEQUENCE-START",
	yaml_SEQUENCE_END_EVENT:   "SEQUENCE-END",
	yaml_MAPPING_START_EVENT:  "MAPPING-START",
	yaml_MAPPING_END_EVENT:    "MAPPING-END",
}

var dumpErrorKinds = map[yaml_error_type_t]string{
	yaml_NO_ERROR:       "none",
	yaml_MEMORY_ERROR:   "memory",
	yaml_READER_ERROR:   "reader",
	yaml_SCANNER_ERROR:  "scanner",
	yaml_PARSER_ERROR:   "parser",
	yaml_COMPOSER_ERROR: "composer",
	yaml_WRITER_ERROR:   "writer",
	yaml_EMITTER_ERROR:  "emitter",
}

func dumpMark(m yaml_mark_t) string {
	return fmt.Sprintf("%d,%d,%d", m.index, m.line, m.column)
}

// dumpFailMessage is decode.go's (*parser).fail(), returning the message instead of panicking.
func dumpFailMessage(p *yaml_parser_t) string {
	var where string
	var line int
	if p.problem_mark.line != 0 {
		line = p.problem_mark.line
		// Scanner errors don't iterate line before returning error
		if p.error == yaml_SCANNER_ERROR {
			line++
		}
	} else if p.context_mark.line != 0 {
		line = p.context_mark.line
	}
	if line != 0 {
		where = "line " + strconv.Itoa(line) + ": "
	}
	var msg string
	if len(p.problem) > 0 {
		msg = p.problem
	} else {
		msg = "unknown problem parsing YAML content"
	}
	return "yaml: " + where + msg
}

// DumpEvents parses in as yaml.Unmarshal does and returns one line per event (see above).
func DumpEvents(in []byte) (out string) {
	var b strings.Builder
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(&b, "PANIC %s\n", strconv.QuoteToASCII(fmt.Sprint(r)))
			out = b.String()
		}
	}()
	var parser yaml_parser_t
	yaml_parser_initialize(&parser)
	// decode.go's newParser: an empty input is read as a single line break.
	if len(in) == 0 {
		in = []byte{'\n'}
	}
	yaml_parser_set_input_string(&parser, in)
	for {
		var event yaml_event_t
		if !yaml_parser_parse(&parser, &event) {
			fmt.Fprintf(&b, "ERROR kind=%s problem=%s context=%s problem_mark=%s context_mark=%s offset=%d value=%d message=%s\n",
				dumpErrorKinds[parser.error], strconv.QuoteToASCII(parser.problem), strconv.QuoteToASCII(parser.context),
				dumpMark(parser.problem_mark), dumpMark(parser.context_mark), parser.problem_offset, parser.problem_value,
				strconv.QuoteToASCII(dumpFailMessage(&parser)))
			break
		}
		fmt.Fprintf(&b, "%s anchor=%s tag=%s value=%s implicit=%t quoted_implicit=%t style=%d start=%s end=%s\n",
			dumpEventNames[event.typ], strconv.QuoteToASCII(string(event.anchor)), strconv.QuoteToASCII(string(event.tag)),
			strconv.QuoteToASCII(string(event.value)), event.implicit, event.quoted_implicit, event.style,
			dumpMark(event.start_mark), dumpMark(event.end_mark))
		if event.typ == yaml_STREAM_END_EVENT || event.typ == yaml_NO_EVENT {
			break
		}
	}
	return b.String()
}
