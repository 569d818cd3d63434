// Package mdtest renders step-summary markdown the way GitHub does (GFM) and measures it in a
// headless browser at GitHub's content width, so summary tests check what a reviewer sees. It is
// imported by tests only.
package mdtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// ContentWidth is the width of a job summary's markdown body on github.com (the run page's main
// column at a 1280 px window), in CSS pixels.
const ContentWidth = 860

// ViewportHeight is the first screen a reviewer sees without scrolling (summary area).
const ViewportHeight = 640

// HTML renders markdown as GitHub-flavoured markdown. Raw HTML is kept (GitHub keeps <details>,
// <summary> and <code> through its sanitizer).
func HTML(t testing.TB, md string) string {
	t.Helper()
	var b bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithRendererOptions(html.WithUnsafe()))
	if err := gm.Convert([]byte(md), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// css is the part of GitHub's markdown stylesheet that decides widths: tables are blocks that
// scroll rather than grow, code spans wrap only at spaces.
const css = `body{margin:0;padding:0;background:#fff}
.markdown-body{box-sizing:border-box;width:%dpx;padding:16px;font-family:-apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;font-size:14px;line-height:1.5;color:#1f2328;word-wrap:break-word}
.markdown-body h3{font-size:1.25em;margin:24px 0 16px}
.markdown-body table{display:block;width:max-content;max-width:100%%;overflow:auto;border-spacing:0;border-collapse:collapse}
.markdown-body td,.markdown-body th{padding:6px 13px;border:1px solid #d1d9e0}
.markdown-body code{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:85%%;padding:.2em .4em;background:rgba(129,139,152,.12);border-radius:6px;white-space:break-spaces}
.markdown-body p,.markdown-body details{margin:0 0 16px}
#result{display:none}`

// measure runs in the page and writes its verdict into #result.
const measure = `<script>
window.addEventListener('load', () => {
  const out = [];
  const h = document.querySelector('h3');
  out.push('headline-bottom=' + (h ? Math.ceil(h.getBoundingClientRect().bottom) : -1));
  document.querySelectorAll('table').forEach((t, i) => {
    out.push('table' + i + '=' + t.scrollWidth + '/' + t.clientWidth);
  });
  out.push('page=' + document.documentElement.scrollWidth);
  const first = [...document.querySelectorAll('td')].find(td => td.textContent.includes('error'));
  out.push('first-error-top=' + (first ? Math.ceil(first.getBoundingClientRect().top) : -1));
  document.getElementById('result').textContent = out.join(' ');
});
</script>`

// Layout is what the browser measured.
type Layout struct {
	HeadlineBottom int      // px from the top; <= ViewportHeight means visible without scrolling
	FirstErrorTop  int      // top of the first table cell mentioning an error, -1 when none
	Overflowing    []string // tables whose content is wider than their box ("tableN=scroll/client")
	PageWidth      int
}

var resultRE = regexp.MustCompile(`<pre id="result">([^<]*)</pre>`)

// Chromium returns the path of Debian's chromium, or skips the test with how to get it.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); skipping the screenshot test")
	return ""
}

// Measure renders md in headless chromium at ContentWidth and returns the layout; when the
// environment variable OCTO_STS_SCREENSHOTS names a directory, a PNG of the first screen is
// written there as name.png for people to look at.
func Measure(t testing.TB, name, md string) Layout {
	t.Helper()
	bin := Chromium(t)
	dir := t.TempDir()
	page := fmt.Sprintf("<!doctype html><html><head><meta charset=utf-8><style>"+css+"</style></head><body><div class=markdown-body>%s</div><pre id=\"result\"></pre>%s</body></html>",
		ContentWidth, HTML(t, md), measure)
	file := filepath.Join(dir, "page.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	args := func(extra ...string) []string {
		profile, err := os.MkdirTemp(dir, "profile")
		if err != nil {
			t.Fatal(err)
		}
		return append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir=" + profile, fmt.Sprintf("--window-size=%d,%d", ContentWidth, ViewportHeight)}, extra...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args("--virtual-time-budget=2000", "--dump-dom", "file://"+file)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	m := resultRE.FindStringSubmatch(string(out))
	if m == nil || m[1] == "" {
		t.Fatalf("no measurement in the dumped DOM:\n%.2000s", out)
	}
	var l Layout
	for _, kv := range strings.Fields(m[1]) {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "headline-bottom":
			fmt.Sscan(v, &l.HeadlineBottom)
		case k == "first-error-top":
			fmt.Sscan(v, &l.FirstErrorTop)
		case k == "page":
			fmt.Sscan(v, &l.PageWidth)
		case strings.HasPrefix(k, "table"):
			var sw, cw int
			fmt.Sscanf(v, "%d/%d", &sw, &cw)
			if sw > cw {
				l.Overflowing = append(l.Overflowing, kv)
			}
		}
	}
	if shots := os.Getenv("OCTO_STS_SCREENSHOTS"); shots != "" {
		png, err := filepath.Abs(filepath.Join(shots, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if out, err := exec.CommandContext(ctx, bin, args("--screenshot="+png, "file://"+file)...).CombinedOutput(); err != nil {
			t.Errorf("chromium --screenshot: %v\n%s", err, out)
		}
	}
	return l
}
