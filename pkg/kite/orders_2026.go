package kite

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"syscall"

	"github.com/kitecli/kite/pkg/kitespec"
)

// Kite's order rules of 2026 (docs/orders-2026.md has the sources):
// MARKET and SL-M orders need market protection, orders may carry an algo
// ID, an order above the freeze quantity can be autosliced, and order
// writes are admitted only from the app's registered static IPs.

// MarketProtectionAuto asks Kite to choose the market protection itself.
// The official clients send it by default on MARKET and SL-M orders.
const MarketProtectionAuto = kitespec.MarketProtectionAuto

// MsgNoMarketProtection is Kite's InputException for a MARKET or SL-M
// order placed or modified through the API without market protection.
const MsgNoMarketProtection = kitespec.MsgNoMarketProtection

// NeedsMarketProtection reports whether an order of this type must carry
// market protection.
func NeedsMarketProtection(orderType string) bool {
	return orderType == OrderTypeMarket || orderType == OrderTypeSLM
}

// ValidMarketProtection reports whether v is a value Kite accepts: a
// percentage from 1 to 100, or MarketProtectionAuto. 0 means none, which
// Kite refuses for MARKET and SL-M orders.
func ValidMarketProtection(v float64) bool {
	return v == MarketProtectionAuto || v >= 1 && v <= 100
}

// validateMarketProtection checks the market protection against the order
// type: allowed values only, and only on MARKET and SL-M orders.
func (p OrderParams) validateMarketProtection(orderType string) []error {
	switch {
	case p.MarketProtection == 0:
		return nil
	case !ValidMarketProtection(p.MarketProtection):
		return []error{fmt.Errorf("market protection %v is not a percentage from 1 to 100, or -1 (automatic)", p.MarketProtection)}
	case orderType != "" && !NeedsMarketProtection(orderType):
		return []error{fmt.Errorf("market protection is for MARKET and SL-M orders, not %s", orderType)}
	}
	return nil
}

// SliceChild is one child of an autosliced order: placed (OrderID set) or
// refused (Error set).
type SliceChild struct {
	OrderID string      `json:"order_id,omitempty"`
	Error   *SliceError `json:"error,omitempty"`
}

// SliceError is why one slice of an autosliced order was not placed.
type SliceError struct {
	Code      int    `json:"code"`
	ErrorType string `json:"error_type"`
	Message   string `json:"message"`
}

// PlaceResult is Kite's answer to a place: the order ID, and for an
// autosliced order the parent's ID with one entry per slice.
type PlaceResult struct {
	OrderID  string       `json:"order_id"`
	Children []SliceChild `json:"children,omitempty"`
}

// Place places an order and returns Kite's whole answer, children
// included. Like PlaceOrder it is sent once and never retried.
func (c *Client) Place(ctx context.Context, variety string, p OrderParams) (PlaceResult, error) {
	var r PlaceResult
	err := c.Do(ctx, http.MethodPost, "/orders/"+url.PathEscape(variety), p.Values(), &r)
	return r, err
}

// ipInMessage finds an IPv4 or IPv6 address in a message.
var ipInMessage = regexp.MustCompile(`[0-9A-Fa-f:.]*[0-9A-Fa-f][.:][0-9A-Fa-f:.]*[0-9A-Fa-f]`)

// ipWord is "IP" as a word, not inside "script" or "recipient".
var ipWord = regexp.MustCompile(`(?i)\bIPs?\b`)

// StaticIPRefusal reports whether err is Kite refusing an order write
// because it came from an IP address not registered on the app, and the
// address Kite saw if its message names one ("" otherwise). Kite names the
// refusal in its message only, so the message is what is matched: a
// PermissionException (or 403) speaking of an IP.
func StaticIPRefusal(err error) (ip string, ok bool) {
	var ke *Error
	if !errors.As(err, &ke) {
		return "", false
	}
	if ke.ErrorType != PermissionException && ke.Status != http.StatusForbidden {
		return "", false
	}
	msg := strings.ToLower(ke.Message)
	if !ipWord.MatchString(ke.Message) || !(strings.Contains(msg, "whitelist") || strings.Contains(msg, "regist") || strings.Contains(msg, "static")) {
		return "", false
	}
	for _, m := range ipInMessage.FindAllString(ke.Message, -1) {
		if a, err := netip.ParseAddr(strings.Trim(m, ".:")); err == nil {
			return a.String(), true
		}
	}
	return "", true
}

// IsNotSent reports whether a failed request certainly never reached the
// server: the connection was refused or the host is unknown. Only then may
// a failed order write be called "not placed" without Kite saying so.
func IsNotSent(err error) bool {
	var dnsErr *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dnsErr)
}
