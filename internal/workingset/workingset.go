// Package workingset gives back the pages of the program's own code and
// read-only data that the process touched once (start-up, package
// initialisation, the login's key derivation) and no longer uses.
package workingset
