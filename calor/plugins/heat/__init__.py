"""The OS::Heat::* resource types that need no cloud: None, Value, RandomString, Delay, TestResource."""
