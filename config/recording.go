package config

// Recording configures call recording (owned by the recording work; extend here).
type Recording struct {
	// Policy is "off", "on" or "ask".
	Policy string `toml:"policy"`
}

func defaultRecording() Recording { return Recording{Policy: "off"} }
