/* bp-window-private.h — BpWindow's insides, shared by bp-window.c and bp-window-files.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "bp-backprop-view.h"
#include "bp-controls.h"
#include "bp-draw-view.h"
#include "bp-mistakes-view.h"
#include "bp-train-view.h"
#include "bp-weights-view.h"
#include "bp-window.h"

G_BEGIN_DECLS

struct _BpWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  GtkButton            *back_button;
  GtkButton            *start_button;
  AdwButtonContent     *start_content;
  AdwSplitButton       *step_button;
  GtkButton            *reset_button;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  GtkStack             *main_stack;
  GtkSpinner           *loading_spinner;
  AdwStatusPage        *missing_page;
  GtkLabel             *missing_error_label;
  GtkButton            *choose_folder_button;
  GtkButton            *draw_button;
  BpDrawView           *solo_draw_view;  /* the Draw view without MNIST, with the built-in model */
  BpControls           *controls;
  AdwViewStack         *view_stack;
  BpTrainView          *train_view;
  BpWeightsView        *weights_view;
  BpDrawView           *draw_view;
  BpMistakesView       *mistakes_view;
  BpBackpropView       *backprop_view;

  BpSession            *session;
  GSignalGroup         *session_signals;
  guint                 batches_to_show;  /* train.step-batch steps whose mini-batch is to come */
  BpSession            *loading_session;  /* a data folder being loaded */
  GCancellable         *cancellable;
  GSettings            *settings;         /* NULL when the schema is not installed */
  GtkFileChooserNative *chooser;          /* the one file dialog open, if any */
  GMenu                *recent_section;   /* template child: the Open Recent submenu's items */
  GtkRecentManager     *recent_manager;
  gulong                recent_changed_id;
  BpSession            *solo_session;     /* a model opened without MNIST, for the solo Draw view */
  GFile                *model_file;       /* the file the network was opened from or saved to */
  GList                *pending_files;    /* GFile: to open once the data has loaded */
  gboolean              opening_model;    /* its own "network-reset" must not forget model_file */
  guint                 unsaved_epochs;   /* epochs trained since the network was saved or opened */
  guint                 pinned_generation; /* the network whose run was pinned last (+1; 0: none) */
  guint                 pinned_epoch;      /* and its epoch and mini-batches then */
  guint64               pinned_batches;
  char                 *divergence;       /* the engine's message of the last divergence */
};

/* bp-window.c */
void bp_window_update_actions (BpWindow *self);

/* bp-window-files.c: the win.open, win.save-model, win.save-session, win.open-recent,
 * win.export-plot and win.export-history actions, the recent files and dropped files. */
void bp_window_files_class_init (GtkWidgetClass *widget_class);
void bp_window_files_init (BpWindow *self);
void bp_window_files_dispose (BpWindow *self);
/* Enable the file actions for the session's state. */
void bp_window_files_update_actions (BpWindow *self);
/* The data has loaded (or failed to): open the files that waited for it. */
void bp_window_files_data_ready (BpWindow *self);
/* Remember the model file in the settings, for the next launch. */
void bp_window_files_save_state (BpWindow *self);
/* An epoch finished: the network has changed since it was last saved. */
void bp_window_files_epoch_finished (BpWindow *self);
/* The network was replaced other than by opening a file. */
void bp_window_files_network_reset (BpWindow *self);

G_END_DECLS
