"""Every string the terminal interface shows, in Chinese (default) and English.

Screens ask for a string by key: ``labels.get("lang")("edit")``. Keys that are
missing in English fall back to Chinese, so a new label never shows a key name.
"""

from __future__ import annotations

from collections.abc import Callable

from tracker.model import Status

_STRINGS: dict[str, tuple[str, str]] = {
    # app and main screen
    "app_title": ("政务公开任务分工跟踪", "Disclosure plan tracker"),
    "plan": ("计划", "plan"),
    "whole_plan": ("全部任务", "whole plan"),
    "filter": ("过滤", "Filter"),
    "filter_placeholder": ("过滤条件,如 unit:营里镇 overdue(回车确认,Esc 返回表格)",
                           "filter, e.g. unit:营里镇 overdue (Enter to apply, Esc back to table)"),
    "filter_hint": ("按 / 输入过滤条件", "press / to type a filter"),
    "filter_none": ("(无:全部)", "(none: all)"),
    "filter_error": ("过滤条件有误", "Bad filter"),
    "rows": ("条", "rows"),
    "loading": ("正在读取计划……", "Loading the plan…"),
    "read_only": ("只读", "read-only"),
    "readonly_past_year": ("往年计划只读(仅办公室管理员可修改)", "past years are read-only (office admins only)"),
    "readonly_ref": ("正在查看历史版本 {ref},只读", "viewing the plan at {ref}, read-only"),
    "readonly_role": ("当前账号不能修改({role})", "this account cannot change anything ({role})"),
    "no_selection": ("未选中任何要求", "no requirement selected"),
    "not_yours": ("只能修改本单位的分工", "you may change only your own unit's assignments"),
    "refreshed": ("已载入其他人的新提交 {short}", "picked up a new commit {short}"),
    "load_failed": ("读取计划失败", "could not read the plan"),
    # columns
    "col_id": ("编号", "No."),
    "col_task": ("任务", "Task"),
    "col_status": ("状态", "Status"),
    "col_due": ("时限", "Due"),
    "col_lead": ("牵头单位", "Lead"),
    "col_done": ("完成", "Done"),
    "col_overdue": ("逾期", "Late"),
    "overdue_mark": ("逾期", "LATE"),
    "ongoing": ("持续", "ongoing"),
    "unspecified": ("未定", "n/a"),
    # detail
    "requirement": ("具体要求", "Requirement"),
    "deadline": ("时限要求", "Deadline"),
    "due_dates": ("到期日", "Due"),
    "assignments": ("责任单位", "Assignments"),
    "lead": ("牵头", "lead"),
    "implementer": ("落实", "implementer"),
    "note": ("进展", "Note"),
    "evidence": ("佐证", "Evidence"),
    "updated": ("更新", "Updated"),
    "none": ("无", "none"),
    # bindings
    "b_quit": ("退出", "Quit"),
    "b_filter": ("过滤", "Filter"),
    "b_mine": ("本单位", "Mine"),
    "b_overdue": ("逾期", "Overdue"),
    "b_due30": ("30天内", "Due 30d"),
    "b_not_started": ("未启动", "Not started"),
    "b_all": ("全部", "All"),
    "b_edit": ("修改", "Edit"),
    "b_history": ("任务历史", "History"),
    "b_unit_history": ("单位历史", "Unit history"),
    "b_dashboard": ("总览", "Dashboard"),
    "b_plan": ("年度", "Year"),
    "b_help": ("帮助", "Help"),
    "b_tree": ("目录", "Sections"),
    "b_refresh": ("刷新", "Reload"),
    "b_sync": ("同步", "Sync"),
    "b_next_unit": ("下个单位", "Next unit"),
    "b_prev_unit": ("上个单位", "Prev unit"),
    "b_back": ("返回", "Back"),
    "b_save": ("保存", "Save"),
    "b_cancel": ("取消", "Cancel"),
    "b_diff": ("原始差异", "Raw diff"),
    "b_jump": ("看该版本", "Open at commit"),
    "b_palette": ("命令", "Commands"),
    "b_keep_theirs": ("保留对方", "Keep theirs"),
    "b_apply_mine": ("用我的", "Apply mine"),
    # edit modal
    "edit_title": ("修改分工 {req} {unit}", "Edit {req} {unit}"),
    "status": ("状态", "Status"),
    "new_note": ("新增进展(可多行)", "New progress note (multi-line)"),
    "last_note": ("最近进展", "Last note"),
    "evidence_help": ("佐证材料:每行一个网址(http/https)或文号", "Evidence: one URL (http/https) or document number per line"),
    "nothing_changed": ("没有任何修改", "nothing changed"),
    "saving": ("正在保存……", "Saving…"),
    "saved": ("已提交 {short} {subject}", "committed {short} {subject}"),
    "save_failed": ("保存失败", "save failed"),
    "evidence_line": ("佐证第{line}行:", "evidence line {line}:"),
    # sync with the shared remote
    "remote": ("远端", "remote"),
    "remote_in_sync": ("已同步", "in sync"),
    "remote_never": ("未同步过", "never synced"),
    "remote_ahead": ("领先{n}", "ahead {n}"),
    "remote_behind": ("落后{n}", "behind {n}"),
    "remote_syncing": ("正在同步……", "syncing…"),
    "sync_no_remote": ("没有配置远端(管理员: tracker remote add 名称 地址)",
                       "no remote is set up (admin: tracker remote add NAME URL)"),
    "sync_role": ("{role}不能同步(同步会写入合并提交)", "a {role} cannot sync (sync writes merge commits)"),
    "sync_running": ("正在同步,请稍候", "a sync is running"),
    "sync_started": ("正在与远端同步……", "syncing with the remote…"),
    "sync_done": ("同步完成", "sync done"),
    "sync_partly": ("同步未完成:远端拒绝了推送", "sync incomplete: the remote refused a push"),
    "sync_failed": ("同步失败(本站的提交都还在)", "sync failed (every local commit is kept)"),
    "comma": (",", ", "),
    "sync_came": ("收到 {n} 个提交", "{n} commits in"),
    "sync_went": ("发出 {n} 个提交", "{n} commits out"),
    "sync_in": ("收到:", "in:"),
    "sync_out": ("发出:", "out:"),
    "sync_more": ("……另有 {n} 项", "… {n} more"),
    "sync_conflicts": ("待裁决的冲突 {n} 处(tracker resolve)", "{n} conflicts to settle (tracker resolve)"),
    "sync_no_conflicts": ("没有冲突", "no conflicts"),
    # conflict
    "conflict_title": ("修改冲突:别人刚改了同一项", "Conflict: someone changed the same field"),
    "conflict_help": ("请选择保留对方的值,或以对方的值为基础提交我的修改。",
                      "Keep their value, or apply yours on top of theirs."),
    "theirs": ("对方", "Theirs"),
    "mine": ("我的", "Mine"),
    "seen": ("打开时", "When opened"),
    "kept_theirs": ("已保留对方的修改,未提交", "kept their change; nothing committed"),
    "field_status": ("状态", "status"),
    "field_note": ("进展", "note"),
    "field_evidence": ("佐证", "evidence"),
    # history
    "history_task": ("任务{task}的修改历史", "History of task {task}"),
    "history_unit": ("{unit}的修改历史", "History of {unit}"),
    "h_when": ("时间", "When"),
    "h_who": ("修改人", "Who"),
    "h_what": ("要求/单位", "Req/unit"),
    "h_field": ("字段", "Field"),
    "h_change": ("旧 → 新", "Old → new"),
    "h_commit": ("提交", "Commit"),
    "h_empty": ("还没有修改记录", "No changes yet"),
    "h_loading": ("正在读取历史……", "Reading history…"),
    # dashboard
    "dash_title": ("{year}年度总览(截至 {today})", "{year} overview (as of {today})"),
    "dash_units": ("各单位进度(已完成/总数,逾期)", "Progress per unit (done/total, overdue)"),
    "dash_sections": ("各部分进度", "Progress per section"),
    "dash_upcoming": ("30 天内到期", "Due in the next 30 days"),
    "dash_overdue_total": ("逾期分工 {n} 项", "{n} assignments overdue"),
    "dash_nothing_due": ("30 天内没有到期的工作", "nothing falls due in the next 30 days"),
    # plan switch
    "switch_title": ("选择计划年度", "Choose a plan year"),
    "switch_current": ("(当前)", "(current)"),
    "switch_past": ("(往年,只读)", "(past, read-only)"),
    # help
    "help_title": ("按键一览", "Keys"),
    "help_intro": ("所有操作都有按键;Ctrl+P 打开命令面板。过滤语法: unit:单位 status:状态 overdue due-within:30 "
                   "section:一 task:5..9 text:词,- 取反,or 表示或。",
                   "Every action has a key; Ctrl+P opens the command palette. Filter syntax: unit:U status:S "
                   "overdue due-within:30 section:一 task:5..9 text:word, - negates, or between terms."),
    "help_screen_main": ("主界面", "Main screen"),
    "help_screen_history": ("历史", "History"),
    "help_screen_dashboard": ("总览", "Dashboard"),
    "help_screen_edit": ("修改分工", "Edit form"),
    "help_screen_conflict": ("冲突", "Conflict"),
    "help_screen_app": ("全局", "Everywhere"),
    "help_screen_nav": ("移动与输入", "Moving around and typing"),
    "help_screen_switch": ("选择年度", "Plan year"),
    "nav_tab": ("下一栏:过滤 → 任务表 → 分工列表 → 要求原文", "next pane: filter → table → assignments → text"),
    "nav_shift_tab": ("上一栏", "previous pane"),
    "nav_move": ("在表格、列表中移动", "move in the table or list"),
    "nav_page": ("翻页", "page up / down"),
    "nav_ends": ("到第一行 / 最后一行", "first / last row"),
    "nav_enter": ("过滤框中:确认并回到表格;目录中:展开或跳到该任务;列表中:选中",
                  "in the filter: apply and back to the table; in the tree: open or jump; in a list: choose"),
    "nav_escape": ("返回、取消;过滤框中:回到表格(过滤条件保留)",
                   "back, cancel; in the filter: back to the table (the filter stays)"),
    "nav_typing": ("在表格或列表中连续输入文字(如 unit:营里镇)会转入过滤框,不会触发单键命令",
                   "typing a word in the table or a list (e.g. unit:营里镇) goes into the filter, never fires a key"),
}


def _status_label(status: Status, lang: str) -> str:
    return status.label_en if lang == "en" else status.label


def get(lang: str) -> Callable[..., str]:
    """A lookup function for one language: ``t("saved", short="abc1234")``."""
    index = 1 if lang == "en" else 0

    def t(key: str, **values: object) -> str:
        text = _STRINGS[key][index] or _STRINGS[key][0]
        return text.format(**values) if values else text

    return t


def status_label(status: Status, lang: str = "zh") -> str:
    """The label of a status in the interface language."""
    return _status_label(status, lang)


def describe(description: str, lang: str) -> str:
    """A binding's description: bindings carry label keys, shown in the interface language."""
    if description in _STRINGS:
        return get(lang)(description)
    return description


def has(key: str) -> bool:
    """Whether a label exists for ``key``."""
    return key in _STRINGS


def all_keys() -> list[str]:
    """Every label key (tests check both languages fill them)."""
    return list(_STRINGS)
