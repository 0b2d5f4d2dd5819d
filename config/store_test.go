package config

import "testing"

func TestRecordingStoreValidate(t *testing.T) {
	ok := RecordingStore{Endpoint: "https://s3.eu-central-1.amazonaws.com", Bucket: "rec", Region: "eu-central-1"}
	tests := []struct {
		name    string
		mod     func(*RecordingStore)
		wantErr bool
	}{
		{"disabled", func(s *RecordingStore) { *s = RecordingStore{} }, false},
		{"aws", func(*RecordingStore) {}, false},
		{"local http", func(s *RecordingStore) { s.Endpoint = "http://127.0.0.1:7070" }, false},
		{"no scheme", func(s *RecordingStore) { s.Endpoint = "s3.example.com" }, true},
		{"keys in url", func(s *RecordingStore) { s.Endpoint = "https://AKIA:secret@s3.example.com" }, true},
		{"no bucket", func(s *RecordingStore) { s.Bucket = "" }, true},
		{"keep never", func(s *RecordingStore) { s.KeepDays = -1 }, false},
		{"keep negative", func(s *RecordingStore) { s.KeepDays = -2 }, true},
		{"compliance", func(s *RecordingStore) { s.RetentionMode = "compliance" }, false},
		{"bad mode", func(s *RecordingStore) { s.RetentionMode = "forever" }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.mod(&s)
			if err := s.Validate(); (err != nil) != tc.wantErr {
				t.Fatalf("Validate() = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}
