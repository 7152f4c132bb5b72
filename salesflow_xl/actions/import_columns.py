"""The column names that CRM, shop and spreadsheet exports use, for importing existing data.

This module only holds data: for each kind of file ("contacts", "deals", "activities") a
mapping from a SalesFlow field to the headers that hold it in the exports people bring, and the
words that mean won, lost or open in a status or stage column. Nothing here reads a file. What
each source writes, with the pages and repositories the names were taken from, is in
``docs/imports.md``; the comment above each group of aliases names its source in short.

How the aliases are meant to be used:

- Headers are written as the exports write them ("First Name", "Deal - Stage", "客户名称");
  matching normalises them with :func:`salesflow_xl.actions.csv_rows.header_key` (NFKC, case
  folded, letters and digits of any script: "Ｅｍａｉｌ" is "email", "手机号(必填)" is "手机号").
- Within a field the aliases are ordered most telling first; when a file has several of them,
  the first one that is not blank in a row is the natural choice (as the order import does).
- No header is claimed by two fields of the same kind, also once normalised with a key that
  keeps Chinese letters; a field may list two spellings that normalise alike ("First Name" of
  the report exports and "FirstName" of Salesforce's API export), both being real.
- Import templates mark required columns ("Person - Name*", "手机号(必填)", DingTalk's
  "(系统)"): such a marker is to be dropped before matching.
- A name is made of ``first_name`` + ``last_name`` (and ``middle_name``) when the file has no
  full ``name``. Western parts are joined with a space, given name first ("Ada" + "Lovelace" →
  "Ada Lovelace"); Chinese parts are joined family name first without a space ("王" + "小明" →
  "王小明"), whatever the order of the columns (Chinese Outlook writes 名 before 姓).
- Some headers mean different things in different sources and are left out on purpose, to be
  named with ``--map``: a bare "Title" (a salutation such as "Mr." in Outlook, the job title in
  Salesforce, the deal title in SalesFlow's own lead import), a bare "Name" in a deal file
  (the deal in Salesforce's API export, the customer elsewhere) and HubSpot's "Lifecycle Stage"
  and "Lead Status" (stages of the contact, not of a deal).
- "Close Date" (HubSpot, Salesforce) and "Closing Date" (Zoho) are the expected close date of
  an open deal and the actual close date of a won or lost one; they are listed under
  ``expected_close`` and are the closing day when the deal's status is won or lost.
- ``owner`` and ``pipeline`` columns are recognised so that they can be reported as read and
  left out: a one-person workbook has no owners, and its stages are the workbook's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

#: The kinds of file the import reads.
Kind = Literal["contacts", "deals", "activities"]

#: Contacts (people and the companies they work for): field → headers.
CONTACT_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "name": (
        "Name",  # WooCommerce customers report; generic lists
        "Full Name",  # generic lists
        "Contact Name",  # generic lists
        "Person - Name",  # Pipedrive people export
        "Contact",  # generic lists
        "Customer Name",  # generic lists
        "姓名",  # 悟空CRM contacts export; common in Chinese templates
        "联系人",  # common in Chinese templates
        "联系人姓名",  # common in Chinese templates
        "客户姓名",  # 有赞 customer export
    ),
    "first_name": (
        "First Name",  # HubSpot, Salesforce, Zoho, Shopify, Google (2022+), Outlook
        "Person - First name",  # Pipedrive people export
        "Given Name",  # Google Contacts (before 2022)
        "FirstName",  # Salesforce Data Export (API names)
        "名",  # Outlook contacts in Chinese; common in Chinese templates
        "名字",  # common in Chinese templates
    ),
    "middle_name": (
        "Middle Name",  # Google Contacts (2022+), Outlook
        "Additional Name",  # Google Contacts (before 2022)
        "中间名",  # Outlook contacts in Chinese
    ),
    "last_name": (
        "Last Name",  # HubSpot, Salesforce, Zoho, Shopify, Google (2022+), Outlook
        "Person - Last name",  # Pipedrive people export
        "Family Name",  # Google Contacts (before 2022)
        "LastName",  # Salesforce Data Export (API names)
        "Surname",  # generic lists
        "姓",  # Outlook contacts in Chinese; common in Chinese templates
        "姓氏",  # common in Chinese templates
    ),
    "company": (
        "Company Name",  # HubSpot contacts export
        "Associated Company",  # HubSpot contacts export (the primary company's name)
        "Account Name",  # Salesforce and Zoho contacts
        "Company",  # Outlook, Salesforce leads, Zoho leads, Shopify (before 2022)
        "Default Address Company",  # Shopify customers export
        "Organization Name",  # Google Contacts (2022+)
        "Organization 1 - Name",  # Google Contacts (before 2022)
        "Person - Organization",  # Pipedrive people export
        "Organization - Name",  # Pipedrive people/deals export
        "Organization",  # Pipedrive (older exports); generic lists
        "公司名称",  # common in Chinese templates
        "公司",  # common in Chinese templates
        "单位",  # Outlook contacts in Chinese; common in Chinese templates
        "单位名称",  # common in Chinese templates
        "客户名称",  # 悟空CRM contacts export (the account); Chinese templates, see docs
        "所属客户",  # common in Chinese templates
    ),
    "email": (
        "Email",  # HubSpot, Salesforce, Zoho, Shopify, WooCommerce, generic lists
        "E-mail Address",  # Outlook contacts
        "E-mail 1 - Value",  # Google Contacts (both layouts)
        "Email Address",  # generic lists
        "Person - Email",  # Pipedrive
        "Person - Email - Work",  # Pipedrive (labelled e-mail fields)
        "Person - Email - Home",  # Pipedrive
        "Person - Email - Other",  # Pipedrive
        "Work email",  # HubSpot contacts export (all properties)
        "E-mail 2 Address",  # Outlook contacts
        "E-mail 2 - Value",  # Google Contacts
        "邮箱",  # 悟空CRM; common in Chinese templates
        "电子邮件",  # common in Chinese templates
        "电子邮箱",  # common in Chinese templates
        "电子邮件地址",  # Outlook contacts in Chinese
        "邮件",  # common in Chinese templates
    ),
    "phone": (
        "Phone Number",  # HubSpot contacts export
        "Mobile Phone Number",  # HubSpot contacts export
        "Phone",  # Salesforce, Zoho, Shopify, generic lists
        "Mobile",  # Zoho contacts and leads
        "Mobile Phone",  # Outlook, Salesforce contacts
        "Business Phone",  # Outlook contacts
        "Default Address Phone",  # Shopify customers export
        "Phone 1 - Value",  # Google Contacts (both layouts)
        "Person - Phone",  # Pipedrive
        "Person - Phone - Mobile",  # Pipedrive (labelled phone fields)
        "Person - Phone - Work",  # Pipedrive
        "手机",  # 悟空CRM; common in Chinese templates
        "手机号",  # common in Chinese templates
        "手机号码",  # common in Chinese templates
        "客户手机号",  # 有赞 customer export
        "移动电话",  # Outlook contacts in Chinese
        "联系电话",  # common in Chinese templates
        "电话",  # 悟空CRM (landline); common in Chinese templates
        "商务电话",  # Outlook contacts in Chinese
    ),
    "title": (
        "Job Title",  # HubSpot, Outlook
        "Organization Title",  # Google Contacts (2022+)
        "Organization 1 - Title",  # Google Contacts (before 2022)
        "职务",  # 悟空CRM contacts; Outlook contacts in Chinese
        "职位",  # common in Chinese templates
    ),
    "segment": (
        "Industry",  # HubSpot, Salesforce, Zoho
        "Segment",  # generic lists; SalesFlow's lead import
        "客户行业",  # 悟空CRM customers
        "行业",  # common in Chinese templates
        "所属行业",  # common in Chinese templates
    ),
    "channel": (
        "Lead Source",  # Salesforce, Zoho
        "Original Source",  # HubSpot contacts export
        "Source",  # generic lists
        "客户来源",  # 悟空CRM customers; 腾讯企点 customer list
        "线索来源",  # 悟空CRM leads
        "来源",  # common in Chinese templates
        "来源渠道",  # common in Chinese templates
        "渠道",  # common in Chinese templates
    ),
    "created": (
        "Create Date",  # HubSpot
        "Created Date",  # Salesforce reports
        "CreatedDate",  # Salesforce Data Export (API names)
        "Created Time",  # Zoho
        "Date registered",  # WooCommerce customers report
        "创建时间",  # 悟空CRM; common in Chinese templates
        "创建日期",  # 腾讯企点 customer list; common in Chinese templates
        "添加时间",  # common in Chinese templates (WeChat Work style lists)
    ),
    "consent": (
        "Accepts Email Marketing",  # Shopify customers export
        "Accepts Marketing",  # Shopify customers export (before 2022)
        "Marketing consent",  # SalesFlow's own Customers sheet; generic lists
        "Email Marketing Consent",  # generic lists
        "营销同意",  # common in Chinese templates
        "是否同意营销",  # common in Chinese templates
    ),
    "consent_date": ("Consent date", "Email Marketing Consent Date", "同意日期"),
    "consent_source": ("Consent source", "同意方式"),
    "source": ("Data source", "数据来源"),
    "notes": (
        "Notes",  # Google Contacts, Outlook
        "Note",  # Shopify customers export
        "Description",  # Salesforce, Zoho
        "备注",  # 悟空CRM; common in Chinese templates
        "附注",  # Outlook contacts in Chinese
        "描述",  # common in Chinese templates
    ),
    "owner": (
        "Contact owner",  # HubSpot contacts export (recognised, not imported)
        "Contact Owner",  # Salesforce, Zoho
        "Person - Owner",  # Pipedrive
        "负责人",  # 悟空CRM; common in Chinese templates
    ),
}

#: Deals (opportunities, 商机): field → headers.
DEAL_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "title": (
        "Deal Name",  # HubSpot, Zoho
        "Deal - Title",  # Pipedrive deals export
        "Opportunity Name",  # Salesforce reports
        "Deal Title",  # generic lists
        "Deal",  # generic lists
        "商机名称",  # 悟空CRM business export; common in Chinese templates
        "机会名称",  # common in Chinese templates
        "销售机会",  # common in Chinese templates
        "项目名称",  # common in Chinese templates
    ),
    "name": (
        "Contact Name",  # Zoho deals
        "Deal - Contact person",  # Pipedrive deals export
        "Associated Contact",  # HubSpot deals export
        "Person - Name",  # Pipedrive
        "Contact",  # generic lists
        "联系人",  # common in Chinese templates
        "联系人姓名",  # common in Chinese templates
    ),
    "company": (
        "Account Name",  # Salesforce reports, Zoho deals
        "Deal - Organization",  # Pipedrive deals export
        "Associated Company",  # HubSpot deals export
        "Organization - Name",  # Pipedrive
        "Organization",  # Pipedrive (older exports); generic lists
        "Company Name",  # generic lists
        "Company",  # generic lists
        "Customer",  # generic lists
        "客户名称",  # 悟空CRM business export; common in Chinese templates
        "客户",  # common in Chinese templates
        "公司名称",  # common in Chinese templates
        "公司",  # common in Chinese templates
    ),
    "email": (
        "Person - Email",  # Pipedrive deals export with person fields
        "Person - Email - Work",  # Pipedrive
        "Contact Email",  # generic lists
        "Email",  # generic lists
        "邮箱",  # common in Chinese templates
    ),
    "stage": (
        "Deal Stage",  # HubSpot deals export
        "Deal - Stage",  # Pipedrive deals export
        "Stage",  # Salesforce reports, Zoho deals
        "StageName",  # Salesforce Data Export (API names)
        "Deal - Stage (pipeline)",  # Pipedrive, stage named with its pipeline
        "销售阶段",  # common in Chinese templates
        "商机阶段",  # 悟空CRM business export
        "阶段",  # common in Chinese templates
    ),
    "status": (
        "Deal - Status",  # Pipedrive: Open, Won, Lost, Deleted
        "Status",  # generic lists
        "Deal Status",  # generic lists
        "商机状态",  # common in Chinese templates
        "状态",  # common in Chinese templates
    ),
    "is_won": (
        "Won",  # Salesforce reports (true/false); use with is_closed
        "IsWon",  # Salesforce Data Export (API names)
    ),
    "is_closed": (
        "Closed",  # Salesforce reports (true/false)
        "IsClosed",  # Salesforce Data Export (API names)
    ),
    "value": (
        "Amount",  # HubSpot, Salesforce, Zoho
        "Deal - Value",  # Pipedrive deals export
        "Value",  # generic lists
        "Deal Value",  # generic lists
        "商机金额",  # 悟空CRM business export
        "金额",  # common in Chinese templates
        "预计金额",  # common in Chinese templates
        "预计成交金额",  # common in Chinese templates
    ),
    "currency": (
        "Deal - Currency",  # Pipedrive deals export
        "Deal - Currency of value",  # Pipedrive (other export versions)
        "Amount Currency",  # Salesforce reports with several currencies
        "Opportunity Currency",  # Salesforce field label
        "CurrencyIsoCode",  # Salesforce Data Export (API names)
        "Currency",  # HubSpot (multi-currency portals), generic lists
        "币种",  # common in Chinese templates
        "货币",  # common in Chinese templates
        "货币类型",  # common in Chinese templates
    ),
    "created": (
        "Create Date",  # HubSpot deals export
        "Created Date",  # Salesforce reports
        "CreatedDate",  # Salesforce Data Export (API names)
        "Created Time",  # Zoho
        "Deal - Deal created",  # Pipedrive deals export
        "Deal - Deal created on",  # Pipedrive (other export versions)
        "Deal - Creation date",  # Pipedrive (other export versions)
        "创建时间",  # 悟空CRM; common in Chinese templates
        "创建日期",  # common in Chinese templates
    ),
    "expected_close": (
        "Deal - Expected close date",  # Pipedrive deals export
        "Close Date",  # HubSpot, Salesforce: expected, or actual once closed
        "CloseDate",  # Salesforce Data Export (API names)
        "Closing Date",  # Zoho deals: expected, or actual once closed
        "Expected Close Date",  # generic lists
        "预计成交日期",  # 悟空CRM business export; common in Chinese templates
        "预计成交时间",  # common in Chinese templates
        "预计关闭日期",  # common in Chinese templates
    ),
    "closed": (
        "Deal - Won time",  # Pipedrive deals export
        "Deal - Lost time",  # Pipedrive deals export
        "Deal - Deal closed on",  # Pipedrive deals export
        "Deal - Closed on",  # Pipedrive (other export versions)
        "Closed Date",  # generic lists
        "实际成交日期",  # common in Chinese templates
        "成交日期",  # common in Chinese templates
        "成交时间",  # common in Chinese templates
    ),
    "lost_reason": (
        "Closed Lost Reason",  # HubSpot deals export
        "Deal - Lost reason",  # Pipedrive deals export
        "Loss Reason",  # Salesforce (a custom field in most orgs)
        "Loss_Reason__c",  # Salesforce Data Export of that custom field
        "Lost Reason",  # generic lists
        "Reason for Loss",  # generic lists
        "输单原因",  # common in Chinese templates and open-source Chinese CRMs
        "丢单原因",  # common in Chinese templates
        "失败原因",  # common in Chinese templates
        "流失原因",  # common in Chinese templates
    ),
    "probability": (
        "Probability (%)",  # Salesforce reports, Zoho deals
        "Deal - Probability",  # Pipedrive deals export
        "Probability",  # Salesforce Data Export, generic lists
        "赢率",  # common in Chinese templates
        "赢单率",  # 悟空CRM stage settings
        "成交概率",  # common in Chinese templates
        "可能性",  # common in Chinese templates
    ),
    "channel": (
        "Lead Source",  # Salesforce reports, Zoho deals
        "Deal - Lead Source",  # Pipedrive (a custom field in many accounts)
        "Source",  # generic lists
        "商机来源",  # common in Chinese templates
        "来源",  # common in Chinese templates
    ),
    "next_follow_up": (
        "Next Activity Date",  # HubSpot
        "Deal - Next activity date",  # Pipedrive deals export
        "下次联系时间",  # 悟空CRM
    ),
    "notes": (
        "Description",  # Salesforce, Zoho
        "Next Step",  # Salesforce reports, Zoho deals
        "备注",  # 悟空CRM; common in Chinese templates
    ),
    "owner": (
        "Deal owner",  # HubSpot deals export (recognised, not imported)
        "Deal Owner",  # Zoho deals
        "Deal - Owner",  # Pipedrive deals export
        "Opportunity Owner",  # Salesforce reports
        "Owner",  # generic lists
        "负责人",  # 悟空CRM; common in Chinese templates
    ),
    "pipeline": (
        "Pipeline",  # HubSpot deals export (recognised, not imported)
        "Deal - Pipeline",  # Pipedrive deals export
        "商机状态组",  # 悟空CRM business export
    ),
}

#: Activities (calls, e-mails, meetings, notes, 跟进记录): field → headers.
ACTIVITY_COLUMNS: Final[Mapping[str, tuple[str, ...]]] = {
    "deal": (
        "Deal",  # generic logs
        "Deal - Title",  # Pipedrive activities export
        "Associated Deal",  # HubSpot activity exports
        "Opportunity Name",  # Salesforce activity reports
        "所属商机",  # 悟空CRM follow-up export (business records)
        "相关商机",  # 悟空CRM follow-up export (customer records)
        "商机名称",  # common in Chinese templates
        "商机",  # common in Chinese templates
    ),
    "contact": (
        "Contact",  # generic logs
        "Contact Name",  # generic logs
        "Person - Name",  # Pipedrive activities export
        "Associated Contact",  # HubSpot activity exports
        "联系人",  # common in Chinese templates
        "所属联系人",  # 悟空CRM follow-up export (contact records)
        "相关联系人",  # 悟空CRM follow-up export (customer records)
    ),
    "first_name": (
        "First Name",  # HubSpot activity exports with contact columns
    ),
    "last_name": (
        "Last Name",  # HubSpot activity exports with contact columns
    ),
    "company": (
        "Company",  # generic logs
        "Associated Company",  # HubSpot activity exports
        "Organization - Name",  # Pipedrive activities export
        "Organization",  # Pipedrive (older exports)
        "Account Name",  # Salesforce activity reports
        "所属客户",  # 悟空CRM follow-up export (customer records)
        "客户名称",  # common in Chinese templates
        "客户",  # common in Chinese templates
    ),
    "email": (
        "Email",  # HubSpot activity exports with contact columns; generic logs
        "Person - Email",  # Pipedrive
        "邮箱",  # common in Chinese templates
    ),
    "type": (
        "Activity type",  # HubSpot activity exports
        "Activity Type",  # generic logs
        "Type",  # Pipedrive activities export, generic logs
        "跟进方式",  # 悟空CRM follow-up export
        "活动类型",  # common in Chinese templates
        "类型",  # common in Chinese templates
    ),
    "date": (
        "Activity date",  # HubSpot activity exports
        "Date",  # generic logs
        "Due date",  # Pipedrive activities export
        "Create date",  # HubSpot activity exports
        "跟进时间",  # 悟空CRM follow-up export
        "日期",  # common in Chinese templates
        "时间",  # common in Chinese templates
    ),
    "subject": (
        "Subject",  # Pipedrive activities export, Salesforce tasks
        "主题",  # common in Chinese templates
    ),
    "note": (
        "Note body",  # HubSpot note exports
        "Call notes",  # HubSpot call exports
        "Note",  # Pipedrive activities export, generic logs
        "Notes",  # generic logs
        "Description",  # Salesforce tasks
        "跟进内容",  # 悟空CRM follow-up export
        "内容",  # common in Chinese templates
        "备注",  # common in Chinese templates
    ),
    "done": (
        "Done",  # Pipedrive activities (yes/no), generic logs
        "Completed",  # generic logs
        "Call status",  # HubSpot call exports (COMPLETED …)
        "是否完成",  # common in Chinese templates
        "完成状态",  # common in Chinese templates
    ),
    "next_follow_up": (
        "下次联系时间",  # 悟空CRM follow-up export
        "Next Activity Date",  # HubSpot
    ),
    "owner": (
        "Activity assigned to",  # HubSpot activity exports (recognised, not imported)
        "Activity created by",  # HubSpot activity exports
        "Assigned to user",  # Pipedrive activities export
        "跟进人",  # 悟空CRM follow-up export
    ),
}

#: Every kind's columns.
COLUMNS: Final[Mapping[Kind, Mapping[str, tuple[str, ...]]]] = {
    "contacts": CONTACT_COLUMNS,
    "deals": DEAL_COLUMNS,
    "activities": ACTIVITY_COLUMNS,
}

#: Fields that are recognised so the report can name them, but whose values are not imported.
IGNORED_FIELDS: Final[frozenset[str]] = frozenset({"owner", "pipeline"})

#: Values of a status or stage column that mean the deal was won.
WON_VALUES: Final[tuple[str, ...]] = (
    "Won",  # Pipedrive status
    "Closed Won",  # HubSpot, Salesforce, Zoho default stage
    "closedwon",  # HubSpot internal stage ID (files made from the API)
    "赢单",  # 悟空CRM end state; common in Chinese templates
    "已赢单",  # common in Chinese templates
    "成交",  # common in Chinese templates (a stage named 成交)
    "已成交",  # common in Chinese templates
    "签约",  # common in Chinese templates
    "已签约",  # common in Chinese templates
    "成功",  # common in Chinese CRMs (成功/失败 buttons)
)

#: Values of a status or stage column that mean the deal was lost.
LOST_VALUES: Final[tuple[str, ...]] = (
    "Lost",  # Pipedrive status
    "Closed Lost",  # HubSpot, Salesforce, Zoho default stage
    "closedlost",  # HubSpot internal stage ID (files made from the API)
    "Closed-Lost to Competition",  # Zoho default stage
    "Closed Lost to Competition",  # Zoho default stage, other spelling
    "输单",  # 悟空CRM end state; common in Chinese templates
    "已输单",  # common in Chinese templates
    "丢单",  # common in Chinese templates
    "已丢单",  # common in Chinese templates
    "流失",  # common in Chinese templates
    "已流失",  # common in Chinese templates
    "失败",  # common in Chinese CRMs (成功/失败 buttons)
)

#: Values of a status column that mean the deal is still open.
OPEN_VALUES: Final[tuple[str, ...]] = (
    "Open",  # Pipedrive status
    "In Progress",  # generic lists
    "进行中",  # common in Chinese templates
    "跟进中",  # common in Chinese templates
    "未成交",  # common in Chinese templates
)

#: Values of a status column that mean the row is no deal at all (deleted or void): such
#: rows are neither won nor lost, and a designer may skip them and say so.
VOID_VALUES: Final[tuple[str, ...]] = (
    "Deleted",  # Pipedrive status of a deal in the trash
    "无效",  # 悟空CRM end state ("invalid")
    "作废",  # common in Chinese templates
    "已作废",  # common in Chinese templates
)

#: Values of a yes/no column (Salesforce "Won"/"Closed", "Done", Shopify's marketing consent).
TRUE_VALUES: Final[tuple[str, ...]] = ("true", "yes", "1", "y", "是", "已完成", "completed")
FALSE_VALUES: Final[tuple[str, ...]] = ("false", "no", "0", "n", "否", "未完成")

#: Activity types as exports write them, by the SalesFlow activity type they mean. Types with
#: no SalesFlow counterpart (HubSpot's NOTE, 悟空CRM's 发短信 and 活动) are left out: the
#: designer decides whether they become a Task or keep their own name.
ACTIVITY_TYPE_VALUES: Final[Mapping[str, tuple[str, ...]]] = {
    "Call": ("Call", "Phone call", "打电话", "电话", "通话"),
    "E-mail": ("E-mail", "Email", "发邮件", "邮件"),
    "Meeting": ("Meeting", "Lunch", "见面拜访", "拜访", "会议", "面谈"),
    "Task": ("Task", "To-do", "Deadline", "待办", "任务"),
}
