// macos-sign signs Mach-O files and submits them to Apple's notary service from any OS, with
// quill (goreleaser's fork, pinned in go.mod). go-build-matrix builds it with the job's Go and
// runs it per file; every answer is one line of JSON on stdout. Secrets come from files only.
package main

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/blacktop/go-macho"
	"github.com/github/smimesign/ietf-cms/oid"
	"github.com/github/smimesign/ietf-cms/protocol"
	"github.com/github/smimesign/ietf-cms/timestamp"
	"github.com/goreleaser/quill/quill"
	"github.com/goreleaser/quill/quill/notary"
	"github.com/goreleaser/quill/quill/pki"
	"github.com/goreleaser/quill/quill/pki/load"
	"software.sslmate.com/src/go-pkcs12"
)

// answer is the one line each command prints: Problem names what failed ("password",
// "certificate", "sign", "notarize", "usage"), Signer the certificate that signed.
type answer struct {
	Problem string  `json:"problem,omitempty"`
	Message string  `json:"message,omitempty"`
	Signer  *signer `json:"signer,omitempty"`
	Status  string  `json:"status,omitempty"`
}

type signer struct {
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	Serial  string `json:"serial"`
	Team    string `json:"team"`
	// Timestamp is the RFC 3161 time read back from the signature (RFC 3339); empty when none.
	Timestamp string `json:"timestamp,omitempty"`
}

func main() {
	// A library's panic is one answer naming it, not a Go stack trace to parse.
	defer func() {
		if r := recover(); r != nil {
			finish(answer{Problem: "sign", Message: fmt.Sprintf("panic: %v", r)})
		}
	}()
	timestamp.DefaultHTTPClient = sizedClient{http.DefaultClient}
	if len(os.Args) < 2 {
		finish(answer{Problem: "usage", Message: "usage: macos-sign check|sign|notarize [flags]"})
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ContinueOnError)
	p12 := fs.String("p12", "", "PKCS#12 file (none: ad-hoc signature)")
	passwordFile := fs.String("password-file", "", "file holding the PKCS#12 password")
	identity := fs.String("identity", "", "the code signature's identifier")
	timestampURL := fs.String("timestamp-url", "", "RFC 3161 server for a secure timestamp")
	keyFile := fs.String("key-file", "", "App Store Connect API key (.p8)")
	keyID := fs.String("key-id", "", "App Store Connect API key ID")
	issuer := fs.String("issuer", "", "App Store Connect issuer ID")
	timeout := fs.Duration("timeout", 15*time.Minute, "how long to wait for the notary's verdict")
	poll := fs.Duration("poll", 10*time.Second, "pause between status requests")
	if err := fs.Parse(os.Args[2:]); err != nil {
		finish(answer{Problem: "usage", Message: err.Error()})
	}
	switch os.Args[1] {
	case "check":
		_, facts := material(*p12, *passwordFile)
		finish(answer{Signer: facts})
	case "sign":
		finish(sign(fs.Arg(0), *identity, *p12, *passwordFile, *timestampURL))
	case "notarize":
		finish(notarize(fs.Arg(0), *keyFile, *keyID, *issuer, *timeout, *poll))
	default:
		finish(answer{Problem: "usage", Message: "unknown command " + os.Args[1]})
	}
}

func finish(a answer) {
	line, _ := json.Marshal(a)
	fmt.Println(string(line))
	if a.Problem != "" {
		os.Exit(1)
	}
	os.Exit(0)
}

// material opens the PKCS#12 and checks its chain for code signing (the chain from the file, or
// else Apple's certificates quill carries); it exits with the problem when it cannot.
func material(p12, passwordFile string) (*pki.SigningMaterial, *signer) {
	password, err := os.ReadFile(passwordFile)
	if err != nil {
		finish(answer{Problem: "usage", Message: err.Error()})
	}
	contents, err := load.P12(p12, string(password))
	if err != nil {
		if errors.Is(err, pkcs12.ErrIncorrectPassword) || errors.Is(err, load.ErrNeedPassword) {
			finish(answer{Problem: "password", Message: err.Error()})
		}
		finish(answer{Problem: "certificate", Message: err.Error()})
	}
	m, err := pki.NewSigningMaterialFromP12(*contents, true)
	if err != nil {
		finish(answer{Problem: "certificate", Message: err.Error()})
	}
	leaf := m.Leaf()
	if leaf == nil {
		finish(answer{Problem: "certificate", Message: "no leaf (non-CA) certificate in the chain"})
	}
	return m, facts(leaf)
}

func facts(c *x509.Certificate) *signer {
	team := ""
	if len(c.Subject.OrganizationalUnit) > 0 {
		team = c.Subject.OrganizationalUnit[0]
	}
	return &signer{
		Subject: c.Subject.String(),
		Issuer:  c.Issuer.String(),
		Serial:  strings.ToUpper(hex.EncodeToString(c.SerialNumber.Bytes())),
		Team:    team,
	}
}

// sign signs `file` in place: with the certificate, or ad hoc without one.
func sign(file, identity, p12, passwordFile, timestampURL string) answer {
	cfg := quill.SigningConfig{Path: file, Identity: identity}
	var who *signer
	if p12 != "" {
		m, facts := material(p12, passwordFile)
		cfg.SigningMaterial, who = *m, facts
		cfg.WithTimestampServer(timestampURL)
	}
	if err := quill.Sign(cfg); err != nil {
		return answer{Problem: "sign", Message: err.Error()}
	}
	if who != nil && timestampURL != "" {
		at, err := timestampOf(file)
		if err != nil {
			return answer{Problem: "sign", Message: "the signature's timestamp: " + err.Error()}
		}
		who.Timestamp = at.UTC().Format(time.RFC3339)
	}
	return answer{Signer: who}
}

// sizedClient reads a timestamp server's reply whole before smimesign sees it: smimesign sizes its
// buffer by Content-Length and panics on a reply without one (chunked, -1).
type sizedClient struct{ *http.Client }

func (c sizedClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.Client.Do(req)
	if err != nil || resp.ContentLength >= 0 {
		return resp, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// timestampOf reads the RFC 3161 token's time from the CMS signature of a thin Mach-O file.
func timestampOf(file string) (time.Time, error) {
	f, err := macho.Open(file)
	if err != nil {
		return time.Time{}, err
	}
	defer f.Close()
	cs := f.CodeSignature()
	if cs == nil || len(cs.CMSSignature) == 0 {
		return time.Time{}, errors.New("no CMS signature")
	}
	ci, err := protocol.ParseContentInfo(cs.CMSSignature)
	if err != nil {
		return time.Time{}, err
	}
	sd, err := ci.SignedDataContent()
	if err != nil || len(sd.SignerInfos) == 0 {
		return time.Time{}, fmt.Errorf("no signer in the CMS signature (%v)", err)
	}
	token, err := sd.SignerInfos[0].UnsignedAttrs.GetOnlyAttributeValueBytes(oid.AttributeTimeStampToken)
	if err != nil {
		return time.Time{}, err
	}
	tci, err := protocol.ParseContentInfo(token.FullBytes)
	if err != nil {
		return time.Time{}, err
	}
	tsd, err := tci.SignedDataContent()
	if err != nil {
		return time.Time{}, err
	}
	info, err := timestamp.ParseInfo(tsd.EncapContentInfo)
	if err != nil {
		return time.Time{}, err
	}
	return info.GenTime, nil
}

// notarize submits a signed file and waits for Apple's verdict; anything but Accepted is a problem.
func notarize(file, keyFile, keyID, issuer string, timeout, poll time.Duration) answer {
	cfg := quill.NewNotarizeConfig(issuer, keyID, keyFile).WithStatusConfig(notary.StatusConfig{
		Timeout: timeout,
		Poll:    poll,
		Wait:    true,
	})
	status, err := quill.Notarize(file, *cfg)
	if err != nil {
		return answer{Problem: "notarize", Message: err.Error(), Status: string(status)}
	}
	return answer{Status: string(status)}
}
