// Package urlhandler parses sip:, sips: and tel: links (click-to-call from a
// browser CRM) and registers the softphone as their handler with the OS.
//
//   - Linux: a .desktop file with MimeType=x-scheme-handler/sip;x-scheme-handler/tel
//     in ~/.local/share/applications, made the default with xdg-mime.
//   - Windows: HKCU\Software\Classes\sip and \tel ("URL Protocol", shell\open\command),
//     plus Capabilities so the app is listed in Settings → Default apps.
//   - macOS: Launch Services reads CFBundleURLTypes from the .app's Info.plist
//     (packaging/darwin/Info.plist); there is nothing to do at run time.
//
// The registered command is `softphone open --start LINK`: it hands the link
// to the running instance (package instance) or starts the desktop with it.
//
// Links carry phone numbers, which are personal data: Link implements
// slog.LogValuer and logs only a masked form.
package urlhandler
