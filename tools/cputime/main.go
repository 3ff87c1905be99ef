//go:build linux

// Command cputime runs a command and reports the CPU time of its whole process tree, for the
// benchmarks (bench/cpu-time.ts).
//
//	cputime REPORT.json COMMAND [ARGS...]
//
// It becomes a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so every descendant whose parent
// dies first is re-parented to it rather than to init, and it reaps every process until none is
// left. The kernel adds a reaped process's CPU time, and that of the processes it reaped, to its
// reaper's, so the sum covers the whole tree: the command and the processes it waited for, and
// the orphans, such as the node process under the `sh` shim of Pulumi's dynamic provider, which the
// engine kills with its whole process group and so never waits for.
//
// The command keeps this process's standard streams; its exit status becomes this process's.
// REPORT.json receives {"userMs", "systemMs", "commandCpuMs", "orphanCpuMs", "orphans", "exitCode"}:
// commandCpuMs is what the command's own wait counted, orphanCpuMs what only the subreaper saw.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

const prSetChildSubreaper = 36

// orphanGrace bounds the wait for descendants still running after the command has exited.
const orphanGrace = 60 * time.Second

type report struct {
	UserMs       float64 `json:"userMs"`
	SystemMs     float64 `json:"systemMs"`
	CommandCPUMs float64 `json:"commandCpuMs"`
	OrphanCPUMs  float64 `json:"orphanCpuMs"`
	Orphans      int     `json:"orphans"`
	ExitCode     int     `json:"exitCode"`
}

func ms(t syscall.Timeval) float64 { return float64(t.Sec)*1e3 + float64(t.Usec)/1e3 }

func cpuMs(ru *syscall.Rusage) float64 { return ms(ru.Utime) + ms(ru.Stime) }

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "cputime: "+format+"\n", args...)
	os.Exit(125)
}

func main() {
	if len(os.Args) < 3 {
		fail("usage: cputime REPORT.json COMMAND [ARGS...]")
	}
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		fail("cannot become a child subreaper: %v", errno)
	}
	path, err := exec.LookPath(os.Args[2])
	if err != nil {
		fail("%v", err)
	}
	pid, err := syscall.ForkExec(path, os.Args[2:], &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{0, 1, 2},
	})
	if err != nil {
		fail("cannot start %s: %v", os.Args[2], err)
	}
	r := report{ExitCode: -1}
	deadline := time.Time{}
	for {
		var status syscall.WaitStatus
		var ru syscall.Rusage
		options := 0
		if !deadline.IsZero() {
			options = syscall.WNOHANG
		}
		reaped, err := syscall.Wait4(-1, &status, options, &ru)
		if err == syscall.ECHILD {
			break
		}
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			fail("wait: %v", err)
		}
		if reaped == 0 { // WNOHANG: descendants still running after the command exited
			if time.Now().After(deadline) {
				fail("descendants of %s still running %s after it exited", os.Args[2], orphanGrace)
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if reaped == pid {
			r.CommandCPUMs = cpuMs(&ru)
			if status.Exited() {
				r.ExitCode = status.ExitStatus()
			} else {
				r.ExitCode = 128 + int(status.Signal())
			}
			deadline = time.Now().Add(orphanGrace)
		} else {
			r.Orphans++
			r.OrphanCPUMs += cpuMs(&ru)
		}
	}
	var total syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &total); err != nil {
		fail("getrusage: %v", err)
	}
	r.UserMs, r.SystemMs = ms(total.Utime), ms(total.Stime)
	out, _ := json.Marshal(r)
	if err := os.WriteFile(os.Args[1], append(out, '\n'), 0o644); err != nil {
		fail("%v", err)
	}
	os.Exit(r.ExitCode)
}
