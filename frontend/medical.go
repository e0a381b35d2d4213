package frontend

import "github.com/gin-gonic/gin"

// registerMedical mounts the medical section and delegations (bris de glace).
func (a *App) registerMedical(u, s *gin.RouterGroup) {}
