package nss

// SetCacheDir makes every later lookup in this process read dir ("" goes
// back to $LDAPIDM_CACHE_DIR or /var/lib/ldapidm). Connections already
// open are closed and reopened on their next use.
func SetCacheDir(dir string) { cSetCacheDir(dir) }

// Recheck makes the next lookup of every connection re-validate its file
// now instead of within the module's one-second window; tests call it
// after publishing a new generation.
func Recheck() { cRecheck() }
