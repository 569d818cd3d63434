package lint

import "sigs.k8s.io/yaml"

// unmarshalStrictString decodes through sigs.k8s.io/yaml so scalar rendering matches the server.
func unmarshalStrictString(doc string, out any) error {
	return yaml.UnmarshalStrict([]byte(doc), out)
}
