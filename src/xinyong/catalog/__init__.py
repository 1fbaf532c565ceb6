"""The catalog of credit information and of joint measures, with their legal bases."""
