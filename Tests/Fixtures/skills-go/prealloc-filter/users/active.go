// Package users selects user records.
package users

// User is one stored user.
type User struct {
	ID     int64
	Name   string
	Active bool
	Tags   [6]string
}

// Active returns the active users.
func Active(users []User) []User {
	var out []User
	for _, u := range users {
		if u.Active {
			out = append(out, u)
		}
	}
	return out
}
