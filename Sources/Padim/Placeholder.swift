// Padim
