package frontend

import "github.com/gin-gonic/gin"

// registerMedication mounts prescriptions and the administration register.
func (a *App) registerMedication(u, s *gin.RouterGroup) {}
