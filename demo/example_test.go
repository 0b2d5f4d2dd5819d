package demo_test

import (
	"context"
	"fmt"

	"softphone/demo"
)

// A phone (or a phone test) connects to the demo PBX like this: Server is
// Addr, Domain is the TLS server name and SIP domain, RootCAs is CAPool.
func Example() {
	pbx, err := demo.Start(context.Background(), demo.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pbx.Close()

	agent := pbx.Agent()
	fmt.Println("domain:", pbx.Domain())
	fmt.Println("agent:", agent.User)
	fmt.Println("echo:", pbx.EchoURI())
	// Once the agent is registered, pbx.CallAgent(ctx, 0) rings it.
	fmt.Println("first customer:", pbx.Customers()[0].Name)

	// Output:
	// domain: localhost
	// agent: 1001
	// echo: sip:echo@localhost
	// first customer: Erika Mustermann (Demo)
}
