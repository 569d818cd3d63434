package policy

import (
	"fmt"

	"sigs.k8s.io/yaml"
)

// DecodeRepo parses a repository trust policy exactly as the exchange does (UnmarshalStrict).
func DecodeRepo(data []byte) (*TrustPolicy, error) {
	var tp TrustPolicy
	if err := yaml.UnmarshalStrict(data, &tp); err != nil {
		return nil, err
	}
	return &tp, nil
}

// DecodeOrg parses an org trust policy (policy repository) exactly as the exchange does.
func DecodeOrg(data []byte) (*OrgTrustPolicy, error) {
	var otp OrgTrustPolicy
	if err := yaml.UnmarshalStrict(data, &otp); err != nil {
		return nil, err
	}
	return &otp, nil
}

// DecodeIssuers parses the org allowlist exactly as ParseOrgTrustedIssuers does before compiling.
func DecodeIssuers(data []byte) (*OrgTrustedIssuers, error) {
	var oti OrgTrustedIssuers
	if err := yaml.UnmarshalStrict(data, &oti); err != nil {
		return nil, err
	}
	return &oti, nil
}

// Accepts reports whether the server would accept the file as kind k (strict decode plus Compile),
// returning the server's own error text when it would not; it is the linter's parity oracle.
func Accepts(k Kind, data []byte) error {
	switch k {
	case KindRepo:
		tp, err := DecodeRepo(data)
		if err != nil {
			return err
		}
		return tp.Compile()
	case KindOrg:
		otp, err := DecodeOrg(data)
		if err != nil {
			return err
		}
		return otp.Compile()
	case KindIssuers:
		oti, err := DecodeIssuers(data)
		if err != nil {
			return err
		}
		_, err = oti.Compile()
		return err
	}
	return fmt.Errorf("unknown policy kind %q", k)
}
