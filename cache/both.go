package cache

import (
	"context"
	"errors"
	"sync"
)

// both runs a on the calling goroutine and b on a new one, at once, and
// returns only when both have returned: nothing a publication starts
// outlives it, so the lock is still held and its temp files are still
// known when cleanup runs (publish.go).
//
// The first side to fail cancels the other's context, so a failed shadow
// build does not wait for the main build to run to its end. The error is
// that first failure; a later failure of the other side is joined to it,
// unless it is only the echo of that cancellation (isCancellation), which
// would say nothing new.
func both(ctx context.Context, a, b func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		if err == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if len(errs) > 0 && isCancellation(err) {
			return
		}
		errs = append(errs, err)
		cancel()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fail(b(ctx))
	}()
	fail(a(ctx))
	<-done
	if len(errs) == 1 {
		return errs[0] // unwrapped: callers may type-assert it
	}
	return errors.Join(errs...)
}

// isCancellation is what a side returns when it stopped because its
// context was cancelled: the context's own error, from step, a table
// flush (wconn.go) or go-sqlite3's interrupt of a verify query.
func isCancellation(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
