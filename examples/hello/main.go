// Command hello prints the platform it was built for. It is the example module that
// go-build-matrix builds with `npm start`, and the program the tests build for every target.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

// Set at link time with -ldflags "-X main.version=…" (go-build-matrix fills in {version}).
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	exitCode := flag.Int("exit", 0, "exit with this status (used by smoke tests)")
	sleep := flag.Duration("sleep", 0, "wait this long before exiting (used by smoke tests)")
	flag.Parse()
	if *showVersion {
		fmt.Printf("hello %s (commit %s, built %s) %s/%s\n", version, commit, date, runtime.GOOS, runtime.GOARCH)
		return
	}
	fmt.Printf("hello, world from %s/%s\n", runtime.GOOS, runtime.GOARCH)
	time.Sleep(*sleep)
	os.Exit(*exitCode)
}
