// Package users exports user records.
package users

// User is one stored user.
type User struct {
	ID      int64
	Name    string
	Email   string
	Active  bool
	Score   float64
	Created int64
	Tags    [4]string
}

// Row is a user as the export writes it.
type Row struct {
	ID    int64
	Name  string
	Email string
	Score float64
	Tags  [4]string
}

// Export converts every user to a row.
func Export(users []User) []Row {
	var rows []Row
	for _, u := range users {
		rows = append(rows, Row{ID: u.ID, Name: u.Name, Email: u.Email, Score: u.Score, Tags: u.Tags})
	}
	return rows
}
