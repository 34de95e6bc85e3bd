/* bp-view.c — what the lab's views share: the session they show, its signals, the keyboard
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-view.h"

typedef struct
{
  BpSession    *session;
  GSignalGroup *session_signals;
  GtkWidget    *focus_target;  /* weak: where the keyboard goes at the next frame */
  guint         focus_tick;
} BpViewPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (BpView, bp_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

BpSession *
bp_view_get_session (BpView *self)
{
  BpViewPrivate *priv = bp_view_get_instance_private (self);

  g_return_val_if_fail (BP_IS_VIEW (self), NULL);

  return priv->session;
}

void
bp_view_set_session (BpView    *self,
                     BpSession *session)
{
  BpViewPrivate *priv = bp_view_get_instance_private (self);

  g_return_if_fail (BP_IS_VIEW (self));
  g_return_if_fail (session == NULL || BP_IS_SESSION (session));

  if (!g_set_object (&priv->session, session))
    return;
  g_signal_group_set_target (priv->session_signals, session);
  if (BP_VIEW_GET_CLASS (self)->session_changed != NULL)
    BP_VIEW_GET_CLASS (self)->session_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

GSignalGroup *
bp_view_get_session_signals (BpView *self)
{
  BpViewPrivate *priv = bp_view_get_instance_private (self);

  g_return_val_if_fail (BP_IS_VIEW (self), NULL);

  return priv->session_signals;
}

gboolean
bp_view_may_take_focus (BpView *self)
{
  GtkRoot *root;
  GtkWidget *focus;

  g_return_val_if_fail (BP_IS_VIEW (self), FALSE);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  if (focus == NULL)
    return TRUE;
  if (focus == GTK_WIDGET (self) || gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
    return FALSE;
  return !GTK_IS_EDITABLE (focus) && !GTK_IS_TEXT_VIEW (focus);
}

static void
set_focus_target (BpView    *self,
                  GtkWidget *target)
{
  BpViewPrivate *priv = bp_view_get_instance_private (self);

  if (priv->focus_target != NULL)
    g_object_remove_weak_pointer (G_OBJECT (priv->focus_target), (gpointer *) &priv->focus_target);
  priv->focus_target = target;
  if (target != NULL)
    g_object_add_weak_pointer (G_OBJECT (target), (gpointer *) &priv->focus_target);
}

static void
cancel_focus (BpView *self)
{
  BpViewPrivate *priv = bp_view_get_instance_private (self);

  if (priv->focus_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), priv->focus_tick);
  priv->focus_tick = 0;
  set_focus_target (self, NULL);
}

static gboolean
focus_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  BpView *self = BP_VIEW (widget);
  BpViewPrivate *priv = bp_view_get_instance_private (self);

  priv->focus_tick = 0;
  if (priv->focus_target != NULL)
    gtk_widget_grab_focus (priv->focus_target);
  set_focus_target (self, NULL);
  return G_SOURCE_REMOVE;
}

void
bp_view_take_focus (BpView    *self,
                    GtkWidget *target)
{
  BpViewPrivate *priv = bp_view_get_instance_private (self);

  g_return_if_fail (BP_IS_VIEW (self));
  g_return_if_fail (GTK_IS_WIDGET (target));

  gtk_widget_grab_focus (target);
  set_focus_target (self, target);
  if (priv->focus_tick == 0)
    priv->focus_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), focus_tick_cb, NULL, NULL);
}

static void
bp_view_unmap (GtkWidget *widget)
{
  cancel_focus (BP_VIEW (widget));

  GTK_WIDGET_CLASS (bp_view_parent_class)->unmap (widget);
}

static void
bp_view_dispose (GObject *object)
{
  BpView *self = BP_VIEW (object);
  BpViewPrivate *priv = bp_view_get_instance_private (self);

  cancel_focus (self);
  if (priv->session_signals != NULL)
    g_signal_group_set_target (priv->session_signals, NULL);
  g_clear_object (&priv->session_signals);
  g_clear_object (&priv->session);

  G_OBJECT_CLASS (bp_view_parent_class)->dispose (object);
}

static void
bp_view_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  BpView *self = BP_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, bp_view_get_session (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_view_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  BpView *self = BP_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      bp_view_set_session (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_view_class_init (BpViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_view_dispose;
  object_class->get_property = bp_view_get_property;
  object_class->set_property = bp_view_set_property;
  widget_class->unmap = bp_view_unmap;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, BP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bp_view_init (BpView *self)
{
  BpViewPrivate *priv = bp_view_get_instance_private (self);

  priv->session_signals = g_signal_group_new (BP_TYPE_SESSION);
}
