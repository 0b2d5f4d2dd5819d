package phone

import "softphone/config"

func testSettings() config.Config {
	c := config.Default()
	c.Account.Server = "127.0.0.1:5061"
	c.Account.User = "1001"
	c.Account.Domain = "localhost"
	return c
}
