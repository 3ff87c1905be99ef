//go:build linux

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A process whose parent exits without waiting for it is still counted, as an orphan, and the
// command's exit status is passed on.
func TestCountsOrphansAndKeepsExitStatus(t *testing.T) {
	dir := t.TempDir()
	binary := filepath.Join(dir, "cputime")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	reportPath := filepath.Join(dir, "report.json")
	busy := `i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done`
	cmd := exec.Command(binary, reportPath, "sh", "-c", "sh -c '"+busy+"' & exit 3")
	err := cmd.Run()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 3 {
		t.Fatalf("want exit status 3, got %v", err)
	}
	raw, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	var r report
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	if r.Orphans != 1 || r.OrphanCPUMs < 50 {
		t.Fatalf("want the busy orphan counted, got %+v", r)
	}
	if total := r.UserMs + r.SystemMs; total < r.OrphanCPUMs+r.CommandCPUMs-1 {
		t.Fatalf("total %.1f ms is less than its parts: %+v", total, r)
	}
}
