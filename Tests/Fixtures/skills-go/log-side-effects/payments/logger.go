package payments

import (
	"fmt"
	"io"
)

// Level orders log messages by importance.
type Level int

// The levels, least important first.
const (
	LevelDebug Level = iota
	LevelInfo
	LevelWarn
)

// Logger writes messages at or above its level.
type Logger struct {
	Min Level
	Out io.Writer
}

// Enabled says whether messages at level are written.
func (l *Logger) Enabled(level Level) bool { return level >= l.Min }

// Debugf writes a debug message.
func (l *Logger) Debugf(format string, args ...interface{}) {
	if l.Enabled(LevelDebug) {
		fmt.Fprintf(l.Out, "DEBUG "+format+"\n", args...)
	}
}

// Infof writes an informational message.
func (l *Logger) Infof(format string, args ...interface{}) {
	if l.Enabled(LevelInfo) {
		fmt.Fprintf(l.Out, "INFO "+format+"\n", args...)
	}
}
