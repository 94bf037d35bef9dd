package kite

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall"
	"testing"
)

func TestStaticIPRefusal(t *testing.T) {
	for _, c := range []struct {
		err    error
		ip     string
		isStat bool
	}{
		{&Error{Status: 403, ErrorType: PermissionException, Message: "Order requests are not allowed from IP 203.0.113.7: it is not registered as a static IP for this app."}, "203.0.113.7", true},
		{fmt.Errorf("placing: %w", &Error{Status: 403, ErrorType: PermissionException, Message: "IP 2001:db8::1 is not whitelisted."}), "2001:db8::1", true},
		{&Error{Status: 400, ErrorType: InputException, Message: "Your IP is not registered. Please register a static IP."}, "", false},
		{&Error{Status: 403, ErrorType: PermissionException, Message: "Request from an unregistered IP."}, "", true},
		// Not about IPs: a script, a permission for something else.
		{&Error{Status: 403, ErrorType: PermissionException, Message: "That API call is not allowed for the authenticated user"}, "", false},
		{&Error{Status: 403, ErrorType: PermissionException, Message: "Tick size for this script is 0.05; registered"}, "", false},
		{errors.New("IP 1.2.3.4 not whitelisted"), "", false},
	} {
		ip, ok := StaticIPRefusal(c.err)
		if ok != c.isStat || ip != c.ip {
			t.Errorf("%v: got (%q, %v), want (%q, %v)", c.err, ip, ok, c.ip, c.isStat)
		}
	}
}

// FuzzStaticIPRefusal: Kite's message is untrusted text. Whatever it
// says, no panic, and an address reported is one the message contains.
func FuzzStaticIPRefusal(f *testing.F) {
	for _, s := range []string{
		"Order requests are not allowed from IP 203.0.113.7: it is not registered",
		"IP ::ffff:10.0.0.1 is not whitelisted",
		"IP . : .. :: registered",
		"IPs 999.1.1.1 static",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		ip, ok := StaticIPRefusal(&Error{Status: 403, ErrorType: PermissionException, Message: msg})
		if !ok && ip != "" {
			t.Fatalf("an IP without a refusal: %q", ip)
		}
		if ip != "" {
			if _, err := netip.ParseAddr(ip); err != nil {
				t.Fatalf("reported %q, not an address: %v", ip, err)
			}
		}
	})
}

func TestOrderParams2026Values(t *testing.T) {
	p := OrderParams{Exchange: "NFO", Tradingsymbol: "NIFTY26DECFUT", TransactionType: Buy, Quantity: 1875, Product: "NRML",
		OrderType: OrderTypeMarket, MarketProtection: MarketProtectionAuto, AlgoID: "algo7", Autoslice: true}
	got := p.Values().Encode()
	for _, want := range []string{"market_protection=-1", "algo_id=algo7", "autoslice=true"} {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %s", got, want)
		}
	}
	if v := (OrderParams{OrderType: OrderTypeLimit}).Values(); v.Has("market_protection") || v.Has("algo_id") || v.Has("autoslice") {
		t.Errorf("unset fields are sent: %v", v)
	}
	for _, c := range []struct {
		p    OrderParams
		want string
	}{
		{OrderParams{OrderType: OrderTypeMarket, MarketProtection: 101}, "not a percentage"},
		{OrderParams{OrderType: OrderTypeLimit, Price: 1, MarketProtection: 5}, "for MARKET and SL-M orders"},
	} {
		if err := c.p.Validate(VarietyRegular); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.p, err, c.want)
		}
	}
	if err := (OrderParams{Autoslice: true}).Validate(VarietyAMO); err == nil || !strings.Contains(err.Error(), "autoslice is only for the regular variety") {
		t.Errorf("autoslice on amo: %v", err)
	}
}

func TestIsNotSent(t *testing.T) {
	if !IsNotSent(fmt.Errorf("dial: %w", syscall.ECONNREFUSED)) {
		t.Error("a refused connection sent nothing")
	}
	if IsNotSent(fmt.Errorf("read: %w", syscall.ECONNRESET)) || IsNotSent(&Error{Status: 503}) {
		t.Error("a reset or a 5xx may have sent the order")
	}
}
