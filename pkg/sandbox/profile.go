package sandbox

import (
	"net/http"
)

// kiteTime is the layout of Kite's REST timestamps (IST, no zone).
const kiteTime = "2006-01-02 15:04:05"

// profile is the data of GET /user/profile.
type profile struct {
	UserID        string         `json:"user_id"`
	UserType      string         `json:"user_type"`
	Email         string         `json:"email"`
	UserName      string         `json:"user_name"`
	UserShortname string         `json:"user_shortname"`
	Broker        string         `json:"broker"`
	Exchanges     []string       `json:"exchanges"`
	Products      []string       `json:"products"`
	OrderTypes    []string       `json:"order_types"`
	AvatarURL     *string        `json:"avatar_url"`
	Meta          map[string]any `json:"meta"`
}

// profileData is the sandbox user's profile.
func profileData() profile {
	return profile{
		UserID:        UserID,
		UserType:      "individual",
		Email:         "sandbox@example.com",
		UserName:      "Sandbox User",
		UserShortname: "Sandbox",
		Broker:        "ZERODHA",
		Exchanges:     []string{"NSE", "NFO", "BFO", "CDS", "BSE", "MCX", "BCD", "MF"},
		Products:      []string{"CNC", "NRML", "MIS", "BO", "CO"},
		OrderTypes:    []string{"MARKET", "LIMIT", "SL", "SL-M"},
		Meta:          map[string]any{"demat_consent": "physical"},
	}
}

func (s *Server) handleProfile(w http.ResponseWriter, r *http.Request, sess session) {
	writeData(w, profileData())
}
