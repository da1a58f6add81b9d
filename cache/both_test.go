package cache

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// TestBoth: both returns only after both sides have returned, a failure on
// either side cancels the other, and the error is the first failure with a
// later real failure joined to it but not the echo of the cancellation.
func TestBoth(t *testing.T) {
	errA, errB := errors.New("side a failed"), errors.New("side b failed")
	ok := func(context.Context) error { return nil }
	failWith := func(err error) func(context.Context) error {
		return func(context.Context) error { return err }
	}
	// untilCancelled stands for a side still building: it stops only when
	// cancelled, and returns what a cancelled builder returns.
	untilCancelled := func(echo error) func(context.Context) error {
		return func(ctx context.Context) error {
			select {
			case <-ctx.Done():
				return fmt.Errorf("cache: insert: %w", echo)
			case <-time.After(10 * time.Second):
				return errors.New("never cancelled")
			}
		}
	}
	cases := []struct {
		name     string
		a, b     func(context.Context) error
		want     []error // every error the result must wrap; nil: success
		wantNot  []error // errors it must not wrap
		wantSame bool    // the result is the failure itself, not a join
	}{
		{"both succeed", ok, ok, nil, nil, false},
		{"a fails, b succeeds", failWith(errA), ok, []error{errA}, nil, true},
		{"b fails, a succeeds", ok, failWith(errB), []error{errB}, nil, true},
		{"a fails, b cancelled", failWith(errA), untilCancelled(context.Canceled), []error{errA}, []error{context.Canceled}, true},
		{"b fails, a cancelled", untilCancelled(context.Canceled), failWith(errB), []error{errB}, []error{context.Canceled}, true},
		{"b fails, a then fails for real", untilCancelled(errA), failWith(errB), []error{errA, errB}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var aDone, bDone atomic.Bool
			err := both(context.Background(),
				func(ctx context.Context) error { defer aDone.Store(true); return tc.a(ctx) },
				func(ctx context.Context) error { defer bDone.Store(true); return tc.b(ctx) })
			if !aDone.Load() || !bDone.Load() {
				t.Fatalf("both returned before its sides (a done %v, b done %v)", aDone.Load(), bDone.Load())
			}
			if tc.want == nil {
				if err != nil {
					t.Fatalf("both = %v, want success", err)
				}
				return
			}
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("both = %v, want it to wrap %q", err, w)
				}
			}
			for _, w := range tc.wantNot {
				if errors.Is(err, w) {
					t.Errorf("both = %v, must not report the echo %q", err, w)
				}
			}
			if tc.wantSame && err != tc.want[0] {
				t.Errorf("both = %#v, want the failure itself", err)
			}
		})
	}
}

// TestBothParentCancelled: a cancelled caller's context reaches both sides
// and is reported once, as a cancellation.
func TestBothParentCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	wait := func(ctx context.Context) error {
		<-ctx.Done()
		return fmt.Errorf("cache: publish cancelled: %w", ctx.Err())
	}
	go cancel()
	err := both(ctx, wait, wait)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("both = %v, want context.Canceled", err)
	}
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		t.Errorf("both = %q, want one cancellation, not both sides' echo", err)
	}
}
