print("lineside")
